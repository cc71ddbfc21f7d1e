/**
 * Alerts (README "Alerts"): the relay tells a technician, by webhook or
 * e-mail, when the cloud is unreachable, events wait too long, deliveries
 * fail, a token is refused, dead letters appear, the spool fills, or a
 * token's first events carry payload warnings. relay.ts wires an AlertWatch
 * into the metrics calls and starts an Alerter; `relay alerts test` sends
 * one test message per receiver.
 */
export {
  type AlertCounters,
  Alerter,
  type AlerterDeps,
  type AlerterOptions,
  type AlertMemory,
  type AlertSource,
  type AlertStatus,
  type FiringAlert,
  type SentAlert,
} from './alerter.ts';
export { CONDITION_IDS, CONDITIONS, type ConditionId, type Snapshot } from './conditions.ts';
export { DEFAULT_DISPATCH, type ReceiverStatus } from './dispatch.ts';
export { type AlertState, evaluate, initialState, type Transition } from './evaluate.ts';
export { type AlertMessage, type Outgoing, render, testMessage } from './messages.ts';
export { type Receiver, type ReceiverEnv, receiversFor, type SendResult } from './receivers.ts';
export { AlertWatch, watchMetrics } from './watch.ts';
