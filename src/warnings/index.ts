/**
 * Payload warnings, as the rest of the relay sees them: http/ gives them in
 * the 200 answer, admin/ counts and explains them. Everything else in this
 * folder is its own business.
 */
export {
  type PayloadWarning,
  payloadWarnings,
  WARNING_HELP,
  WARNING_IDS,
  type WarningContext,
  type WarningId,
} from './definitions.ts';
