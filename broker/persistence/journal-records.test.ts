import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, outgoingRecordSchema } from './journal-records.js';

// An outgoing record as the journal wrote it with msgpack-lite, before msgpackr (captured bytes).
const WRITTEN_BY_MSGPACK_LITE =
  'hahjbGllbnRJZKZpbmdlc3Sjc2VxA6hicm9rZXJJZKhicm9rZXItYa1icm9rZXJDb3VudGVyB6ZwYWNrZXSJo2NtZKdwdWJsaXNoqGJyb2tlcklkqGJyb2tlci1hrWJyb2tlckNvdW50ZXIHpXRvcGljsnYxL2RlbW8vZ3ctMS9iYXRjaKdwYXlsb2FkxAh7InRzIjoxfaNxb3MBpnJldGFpbsKjZHVwwqltZXNzYWdlSWQM';

describe('journal records', () => {
  it('reads records written before the switch to msgpackr', () => {
    const record = decodeRecord(
      outgoingRecordSchema,
      'out:ingest:broker-a:7',
      Buffer.from(WRITTEN_BY_MSGPACK_LITE, 'base64'),
    );
    expect(record).toMatchObject({ clientId: 'ingest', seq: 3, brokerId: 'broker-a', brokerCounter: 7 });
    expect(record.packet).toMatchObject({
      cmd: 'publish',
      topic: 'v1/demo/gw-1/batch',
      qos: 1,
      messageId: 12,
    });
    expect(Buffer.isBuffer(record.packet['payload'])).toBe(true);
    expect(String(record.packet['payload'])).toBe('{"ts":1}');
  });

  it('writes plain msgpack that reads back the same, payload bytes included', () => {
    const payload = Buffer.from([0, 1, 2, 255, 254, 10]);
    const written = {
      clientId: 'ingest',
      seq: 2 ** 40 + 1,
      brokerId: 'broker-b',
      brokerCounter: 9,
      packet: { cmd: 'publish', topic: 't', payload, qos: 1, retain: false, dup: false },
    };
    const encoded = encodeRecord(written);
    // A msgpack map (fixmap or map16), not msgpackr's record extension that other readers cannot read.
    expect([0x85, 0xde]).toContain(encoded[0]);
    const read = decodeRecord(outgoingRecordSchema, 'out:ingest:broker-b:9', encoded);
    expect(read).toMatchObject({ ...written, packet: { ...written.packet, payload: expect.any(Buffer) } });
    expect(Buffer.compare(read.packet['payload'] as Buffer, payload)).toBe(0);
  });
});
