import { createServer } from 'node:net';

/**
 * Ports for test and demo services come from 20000–31999, below Linux's ephemeral range
 * (32768+), so an outgoing connection can never take a port between the moment it was
 * found free and the moment a service binds it; each vitest worker draws from its own
 * band so two suites running side by side never pick the same one.
 */
const FIRST = 20000;
const BAND = 1500;
const BANDS = 8;
const handedOut = new Set<number>();

function band(): number {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 0);
  return Number.isInteger(worker) ? Math.abs(worker) % BANDS : 0;
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive ports that were free on 127.0.0.1 a moment ago and not handed out before by this process. */
export async function freePorts(count: number): Promise<number> {
  const base = FIRST + band() * BAND;
  for (let attempt = 0; attempt < 500; attempt++) {
    const start = base + Math.floor(Math.random() * (BAND - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = !handedOut.has(start + i) && (await isPortFree(start + i));
    if (ok) {
      for (let i = 0; i < count; i++) handedOut.add(start + i);
      return start;
    }
  }
  throw new Error(`no ${count} free consecutive ports in ${base}–${base + BAND - 1}`);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return freePorts(1);
}
