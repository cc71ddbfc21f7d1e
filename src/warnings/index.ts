/**
 * Payload warnings, as the rest of the relay sees them: http/ gives them in
 * the 200 answer, admin/ counts and explains them. Everything else in this
 * folder is its own business.
 */
export {
  NO_CONTEXT,
  type PayloadWarning,
  payloadWarnings,
  WARNING_HELP,
  WARNING_IDS,
  type WarningContext,
  type WarningId,
} from './definitions.ts';
export { TABLE_WINDOW, TableShapes, tableShape, type UsualShape } from './identifiers.ts';
export { testDataReason } from './test-data.ts';
