export type { CloudStatus, ForwarderDeps, ForwardSettings, PausedToken, StalledLane } from './forwarder.ts';
export { createForwarder, Forwarder } from './forwarder.ts';
export type { Verdict } from './policy.ts';
export { backoffDelay, classify, clockSkew, laneStall, parseRetryAfter, STALL_MARGIN_MS } from './policy.ts';
export {
  fetchProxy,
  noProxyMatches,
  type ProxyEnv,
  type ProxyRoute,
  proxyFor,
  resolveProxy,
  showProxy,
} from './proxy.ts';
export { proxyAnswer, proxyFailure, proxySource, scrubProxy, throughProxy } from './proxy-errors.ts';
