import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';

describe("a service's logger", () => {
  it('writes to stdout synchronously, so the lines a crash leaves keep their order and reach the log', () => {
    const stream = Reflect.get(createLogger('order-test'), pino.symbols.streamSym) as {
      fd?: number;
      sync?: boolean;
    };
    expect(stream.fd).toBe(1);
    expect(stream.sync).toBe(true);
  });
});
