import { createLogger } from '../../runtime/index.js';

/** Where CLI commands write their report (stdout in the CLI, a buffer in tests). */
export type Print = (line: string) => void;

/** The CLI reports in text; library logs below `error` would only clutter the terminal. */
export const cliLogger = createLogger('edge-cli', { level: process.env.LOG_LEVEL ?? 'error' });
