import { createServer } from 'node:net';

/**
 * Ports a process picks for services it starts (the stack runner's, the simulator's buses)
 * come from 20000–31999 by default, below Linux's ephemeral range (32768+), so an outgoing
 * connection can never take a port between the moment it was found free and the moment a
 * service binds it. Processes that pick ports side by side (parallel test workers) each
 * take a band of their own with `usePortRange`.
 */
export const DEFAULT_PORT_RANGE = { first: 20000, size: 12000 } as const;

export interface PortRange {
  first: number;
  size: number;
}

let range: PortRange = DEFAULT_PORT_RANGE;
const handedOut = new Set<number>();

/** Where this process picks free ports from from now on. */
export function usePortRange(next: PortRange): void {
  if (!Number.isInteger(next.first) || !Number.isInteger(next.size) || next.first < 1 || next.size < 2) {
    throw new Error(`port range ${JSON.stringify(next)} must be whole numbers, first ≥ 1, size ≥ 2`);
  }
  if (next.first + next.size > 65536) throw new Error(`port range ${JSON.stringify(next)} ends past 65535`);
  range = { ...next };
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
  const { first, size } = range;
  for (let attempt = 0; attempt < 500; attempt++) {
    const start = first + Math.floor(Math.random() * (size - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = !handedOut.has(start + i) && (await isPortFree(start + i));
    if (ok) {
      for (let i = 0; i < count; i++) handedOut.add(start + i);
      return start;
    }
  }
  throw new Error(`no ${count} free consecutive ports in ${first}–${first + size - 1}`);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return freePorts(1);
}
