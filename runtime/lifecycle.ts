import type { Logger } from './logger.js';

/** A part of a service that owns resources. Constructors do nothing; `stop()` releases every listener, timer and socket. */
export interface Component {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs a service until SIGINT/SIGTERM, then stops it once. An unexpected error is
 * logged and exits non-zero so a supervisor (systemd, Docker) restarts the process.
 */
export function runUntilSignalled(logger: Logger, service: Component): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await service.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  watchSupervisor(() => void stop('supervisor gone'));
  service.start().then(
    () => logger.info('started'),
    (error: unknown) => {
      logger.fatal({ err: error }, 'failed to start');
      process.exit(1);
    },
  );
}

/** Waits `ms` or until `signal` aborts; the abort listener is removed either way, so loops can sleep on one signal forever. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with full jitter, capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * A service started by a supervisor process (the stack runner, a test) gets the
 * supervisor's pid in VILLAGE_SUPERVISOR_PID and stops when it disappears, so a
 * supervisor killed with SIGKILL leaves no orphaned services behind.
 */
function watchSupervisor(onGone: () => void): void {
  const pid = Number(process.env.VILLAGE_SUPERVISOR_PID);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      clearInterval(timer);
      onGone();
    }
  }, 2000);
  timer.unref();
}
