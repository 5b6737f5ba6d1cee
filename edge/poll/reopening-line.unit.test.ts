import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../runtime/index.js';
import { ReopeningLine } from './reopening-line.js';

interface Handle {
  id: number;
  open: boolean;
}

function line(
  opens: Array<() => Promise<Handle>>,
  release: (handle: Handle) => Promise<void> = () => Promise.resolve(),
) {
  const disposed: number[] = [];
  const attached: number[] = [];
  let calls = 0;
  const reopening = new ReopeningLine<Handle>({
    description: 'bus-a',
    open: () => {
      const next = opens[calls++];
      if (!next) throw new Error('no more opens planned');
      return next();
    },
    dispose: (handle) => {
      disposed.push(handle.id);
      return release(handle);
    },
    attach: (handle) => attached.push(handle.id),
    usable: (handle) => handle.open,
    failure: (message) => new Error(`CONNECT: ${message}`),
    logger: createLogger('reopening-line-test', { level: 'silent' }),
  });
  return { reopening, disposed, attached, calls: () => calls };
}

const ok = (id: number) => () => Promise.resolve({ id, open: true });
const refused = () => Promise.reject(new Error('ENOENT /dev/ttyUSB0'));

describe('ReopeningLine', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens once for concurrent requests and keeps the line', async () => {
    const { reopening, attached, calls } = line([ok(1)]);
    const [a, b] = await Promise.all([reopening.get(), reopening.get()]);
    expect(a).toBe(b);
    expect(await reopening.get()).toBe(a);
    expect(calls()).toBe(1);
    expect(attached).toEqual([1]);
  });

  it('backs off after a failed open: requests fail fast until the wait is over, doubling', async () => {
    // The wait after the n-th failure is jittered between half and all of 0.5 s × 2^n.
    const t0 = 1_000_000;
    vi.useFakeTimers({ now: t0 });
    const { reopening, calls } = line([refused, refused, ok(3)]);
    await expect(reopening.get()).rejects.toThrow('CONNECT: bus-a: ENOENT /dev/ttyUSB0');
    vi.setSystemTime(t0 + 499);
    await expect(reopening.get()).rejects.toThrow('CONNECT: bus-a: waiting before reconnecting');
    expect(calls()).toBe(1);
    vi.setSystemTime(t0 + 1000);
    await expect(reopening.get()).rejects.toThrow('ENOENT');
    vi.setSystemTime(t0 + 1000 + 999);
    await expect(reopening.get()).rejects.toThrow('waiting before reconnecting');
    expect(calls()).toBe(2);
    vi.setSystemTime(t0 + 1000 + 2000);
    expect((await reopening.get()).id).toBe(3);
    expect(calls()).toBe(3);
  });

  it('reopens after the line is forgotten, and replaces a line that is no longer usable', async () => {
    const { reopening, disposed } = line([ok(1), ok(2), ok(3)]);
    const first = await reopening.get();
    expect(reopening.forget(first)).toBe(true);
    expect(reopening.forget(first)).toBe(false);
    const second = await reopening.get();
    expect(second.id).toBe(2);
    second.open = false;
    expect((await reopening.get()).id).toBe(3);
    expect(disposed).toEqual([2]);
  });

  it('ready() gives the open line only while it is usable and the transport is not closed', async () => {
    const { reopening, calls } = line([ok(1)]);
    expect(reopening.ready()).toBeUndefined();
    const first = await reopening.get();
    expect(reopening.ready()).toBe(first);
    first.open = false;
    expect(reopening.ready()).toBeUndefined();
    first.open = true;
    await reopening.close();
    expect(reopening.ready()).toBeUndefined();
    expect(calls()).toBe(1);
  });

  it('disposes of a line that opens after close, and refuses requests once closed', async () => {
    let finish!: (handle: Handle) => void;
    const { reopening, disposed } = line([() => new Promise((resolve) => (finish = resolve))]);
    const pending = reopening.get();
    const closing = reopening.close();
    await new Promise((resolve) => setImmediate(resolve));
    finish({ id: 1, open: true });
    await expect(pending).rejects.toThrow('transport closed');
    expect(await closing).toBeUndefined();
    expect(disposed).toEqual([1]);
    await expect(reopening.get()).rejects.toThrow('transport closed');
  });

  it('opens again only once the line given up is released (a serial port stays locked until closed)', async () => {
    let release!: () => void;
    const { reopening, disposed, calls } = line(
      [ok(1), ok(2)],
      () => new Promise((resolve) => (release = resolve)),
    );
    const first = await reopening.get();
    first.open = false;
    let second: Handle | undefined;
    const reopened = reopening.get().then((handle) => (second = handle));
    await new Promise((resolve) => setImmediate(resolve));
    expect(disposed).toEqual([1]);
    expect(calls()).toBe(1);
    expect(second).toBeUndefined();
    release();
    await reopened;
    expect(second?.id).toBe(2);
    expect(calls()).toBe(2);
  });

  it('released() waits for every disposal in flight', async () => {
    let release!: () => void;
    const { reopening } = line([ok(1)], () => new Promise((resolve) => (release = resolve)));
    const first = await reopening.get();
    reopening.forget(first);
    reopening.dispose(first);
    let done = false;
    const waiting = reopening.released().then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release();
    await waiting;
    expect(done).toBe(true);
  });
});
