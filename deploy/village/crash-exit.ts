import { sep } from 'node:path';
import { CODE_ROOT, type Component, type Logger } from '../../runtime/index.js';
import { VILLAGE_MODULES, type VillageModule } from './village-config.js';

/** How long the other modules get to stop (flush buffers, close stores) after one crashed. */
const STOP_AFTER_CRASH_MS = 5000;

/**
 * A module's uncaught exception (or unhandled rejection) ends the whole village process
 * after a short best-effort stop of the others, with a fatal log line naming the module,
 * so the supervisor (systemd's Restart=always, compose's restart policy, npm start)
 * restarts it. Not restarting the module in place: after an uncaught exception Node's
 * state is unknown (a half-run handler, a socket left open, timers of the dead instance),
 * and every module already recovers from a process restart (broker sessions, the
 * gateway's disk buffer, alerting's journal), the path the crash tests prove.
 */
export function exitOnCrash(logger: Logger, host: Component): void {
  let crashed = false;
  process.on('uncaughtException', (error, origin) => {
    if (crashed) return;
    crashed = true;
    logger.fatal(
      { err: error, origin, module: moduleOfStack(error?.stack) ?? 'unknown', code: 'MODULE_CRASHED' },
      'a module crashed: stopping the village process for its supervisor to restart it',
    );
    // Non-zero even if the event loop empties while the modules stop, before exit() is reached.
    process.exitCode = 1;
    setTimeout(() => process.exit(1), STOP_AFTER_CRASH_MS).unref();
    void host.stop().finally(() => process.exit(1));
  });
}

/** The module whose own code is nearest the top of the stack (library and runtime/ frames skipped). */
export function moduleOfStack(stack: string | undefined): VillageModule | undefined {
  const root = `${CODE_ROOT}${sep}`;
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const at = line.indexOf(root);
    if (at < 0) continue;
    const folder = line.slice(at + root.length).split(sep)[0];
    const module = VILLAGE_MODULES.find((name) => name === folder);
    if (module) return module;
  }
  return undefined;
}
