import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  encodeReadAddressRequest,
  encodeReadRequest,
  parseReadAddressReply,
  parseReadReply,
} from '../../../devices/index.js';
import { Dlt645Line, type Dlt645Outcome } from '../dlt645-line.js';
import { meter, NOON_CLOCK, silentLogger } from './fixtures.js';
import { TestMaster } from './test-master.js';

/** Two ends of an in-memory cable. */
function cable(): { simEnd: Duplex; masterEnd: Duplex } {
  const toSim = new PassThrough();
  const toMaster = new PassThrough();
  return {
    simEnd: Duplex.from({ readable: toSim, writable: toMaster }),
    masterEnd: Duplex.from({ readable: toMaster, writable: toSim }),
  };
}

describe('DL/T 645 line on any stream', () => {
  it('answers the read-address wildcard when it is the only meter, and never a broadcast', async () => {
    const { simEnd, masterEnd } = cable();
    const outcomes: Dlt645Outcome[] = [];
    const line = new Dlt645Line({
      meters: [meter('12345678', 3000)],
      line: { stream: simEnd },
      logger: silentLogger,
      clock: NOON_CLOCK,
      preambleBytes: 0,
      onFrame: (outcome) => outcomes.push(outcome),
    });
    await line.start();
    const master = new TestMaster(masterEnd);
    const heard: Buffer[] = [];
    masterEnd.on('data', (chunk: Buffer) => heard.push(chunk));
    try {
      const frame = await master.request(encodeReadAddressRequest());
      expect(parseReadAddressReply(frame)).toBe('000012345678');
      master.send(encodeReadRequest('999999999999', '02010100'));
      const reply = await master.request(encodeReadRequest('000012345678', '02010100'));
      expect(parseReadReply(reply)).toMatchObject({ kind: 'data', dataId: '02010100' });
      expect(outcomes).toEqual(['answered', 'not_for_us', 'answered']);
      // preambleBytes: 0, so each reply starts right at 68 (the read-address reply is 18 bytes).
      const bytes = Buffer.concat(heard);
      expect([bytes[0], bytes[18]]).toEqual([0x68, 0x68]);
    } finally {
      master.detach();
      masterEnd.removeAllListeners('data');
      await line.stop();
    }
    // Stopping releases the stream it was given, without closing it.
    expect(simEnd.listenerCount('data')).toBe(0);
    expect(simEnd.destroyed).toBe(false);
  });

  it('refuses two meters with one address on a line', async () => {
    const { simEnd } = cable();
    const line = new Dlt645Line({
      meters: [meter('000012345678', 3000), meter('12345678', 5000)],
      line: { stream: simEnd },
      logger: silentLogger,
    });
    await expect(line.start()).rejects.toThrow(/share address 000012345678/);
    await line.stop();
  });
});
