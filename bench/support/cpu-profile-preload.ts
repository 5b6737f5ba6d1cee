/**
 * Preloaded with `NODE_OPTIONS=--import=<this file>` into a service the benchmark does
 * not start itself (node refuses `--cpu-prof` in NODE_OPTIONS): profiles the process
 * through the inspector from start to exit and writes `<pid>.cpuprofile` into
 * CPU_PROFILE_DIR, as `--cpu-prof` would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  // Session.post with a callback runs synchronously for the in-process inspector.
  process.on('exit', write);
}
