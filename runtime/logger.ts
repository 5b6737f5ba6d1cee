import { pino, type Logger, type DestinationStream } from 'pino';
import { scrubError, scrubSecrets } from './secret-scrub.js';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear in the logged object. */
const REDACTED_PATHS = [
  'password',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.*.password',
  '*.*.token',
  '*.*.secret',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

/**
 * Structured JSON logs; one root logger per process, child loggers per component (`edge.modbus`).
 * Written to stdout synchronously: with pino's default asynchronous stream a line still being
 * written when the process exits is overtaken by the lines flushed at exit, so a crash's fatal
 * line came after the "module stopped" lines it caused, or could be lost. Services log events,
 * not messages, so a write per line costs nothing a user would feel.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const config = {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The paths above only reach three levels; this catches secret-named keys at any depth (secret-scrub.ts).
    formatters: { log: (object: Record<string, unknown>) => scrubSecrets(object) },
    // Errors are serialised, not walked: their messages (which may quote a topic or a URL) are cleaned here.
    serializers: { err: (error: Error) => scrubError(pino.stdSerializers.err(error)) },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(config, options.destination ?? pino.destination({ dest: 1, sync: true }));
}

export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}
