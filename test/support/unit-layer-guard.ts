import { Server, Socket } from 'node:net';
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { promisify } from 'node:util';

/**
 * Runs before every file of the unit layer (`*.unit.test.ts`, `npm run test:unit`): that layer
 * must pass on a machine with none of the system packages and no network, so a unit test that
 * opens a socket, starts a server or runs one of the system binaries fails here at once,
 * naming the rule, instead of passing by luck on a developer's machine.
 */
const SYSTEM_BINARIES = /(^|\/)(influxd|influx|socat|chromium|chrome|redis-server|redis-cli|mosquitto)$/;
const MOVE = 'a unit test starts no servers and opens no sockets: name it *.test.ts (the e2e layer)';

type Callable = (...args: unknown[]) => unknown;

function checked(name: string, original: Callable): Callable {
  return (file: unknown, ...rest: unknown[]) => {
    if (typeof file === 'string' && SYSTEM_BINARIES.test(file)) refuse(`${name}(${file})`);
    return original(file, ...rest);
  };
}

function refuse(what: string): never {
  throw new Error(`unit layer: ${what}; ${MOVE}`);
}

const GUARDED = Symbol.for('village.unitLayerGuard');
const state = globalThis as unknown as Record<symbol, boolean>;
if (!state[GUARDED]) {
  state[GUARDED] = true;
  guard();
}

function guard(): void {
  Server.prototype.listen = function listen(): never {
    refuse('net.Server.listen');
  };
  Socket.prototype.connect = function connect(): never {
    refuse('net.Socket.connect');
  };

  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync'] as const) {
    const original = childProcess[name] as unknown as Callable & { [promisify.custom]?: Callable };
    const wrapped: Callable & { [promisify.custom]?: Callable } = checked(name, original);
    // promisify(execFile) resolves { stdout, stderr } through this hook: keep it, checked too.
    const custom = original[promisify.custom];
    if (custom) wrapped[promisify.custom] = checked(name, custom);
    (childProcess as unknown as Record<string, unknown>)[name] = wrapped;
  }
  syncBuiltinESMExports();
}
