export {
  answerResult,
  LOG_RATE,
  logRecordOf,
  makeSiteId,
  OTLP_PATHS,
  osType,
  pushNote,
  SIGNALS,
  type Signal,
  signalUrl,
} from './policy.ts';
export {
  type SignalStatus,
  startTelemetry,
  type Telemetry,
  type TelemetryDeps,
  type TelemetrySettings,
  type TelemetryStatus,
} from './push.ts';
export { telemetryFor } from './start.ts';
