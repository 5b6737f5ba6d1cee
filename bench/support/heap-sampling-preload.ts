/**
 * Preloaded with `NODE_OPTIONS=--import=<this file>`: samples what the process allocates
 * (objects collected by scavenges and full collections included, so the profile shows the
 * allocation, not what is live) from HEAP_PROFILE_AFTER_MS after start to exit, and writes
 * the V8 sampling heap profile to HEAP_PROFILE_FILE.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.HEAP_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  const start = () =>
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      // Chrome DevTools protocol flags Node's typings do not list yet.
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as { samplingInterval: number });
  setTimeout(start, Number(process.env.HEAP_PROFILE_AFTER_MS ?? 0)).unref();
  // Session.post with a callback runs synchronously for the in-process inspector.
  process.on('exit', () =>
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    }),
  );
}
