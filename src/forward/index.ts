export { createForwarder, Forwarder } from './forwarder.ts';
export type { CloudStatus, ForwardSettings, ForwarderDeps, PausedToken } from './forwarder.ts';
export { backoffDelay, classify, parseRetryAfter } from './policy.ts';
export type { Verdict } from './policy.ts';
