/**
 * The gateway raises the runtime's coded errors; these names stay for the edge's
 * public API and its modules.
 */
export {
  CodedError as EdgeError,
  ERROR_CATALOGUE as EDGE_ERROR_CATALOGUE,
  describeCode,
  type ErrorCode as EdgeErrorCode,
} from '../runtime/index.js';
