import { describe, expect, it } from 'vitest';
import { encodeBatchPayload, topics } from '../../contracts/index.js';
import { decodeCanonical } from '../service/decode-message.js';

const topic = topics.batch('demo-village', 'gw-center');
const ts = 1_764_000_000_000;
const json = JSON.stringify({
  ts,
  telemetry: [{ device: 'clinic-pressure', ts, seq: 4, values: { pressure_mpa: 0.12 } }],
});

describe('alerting reads a batch whichever way it travelled', () => {
  it('reads a gzip batch as its JSON', () => {
    const plain = decodeCanonical(topic, encodeBatchPayload(json, 'json'));
    const gzip = decodeCanonical(topic, encodeBatchPayload(json, 'gzip'));
    expect(plain.ok).toBe(true);
    expect(gzip).toEqual(plain);
  });

  it('reads a brotli batch as its JSON, told apart by its `br` prefix', () => {
    const brotli = encodeBatchPayload(json, 'brotli');
    expect(brotli.subarray(0, 2).toString()).toBe('br');
    expect(decodeCanonical(topic, brotli)).toEqual(decodeCanonical(topic, encodeBatchPayload(json, 'json')));
    const cut = brotli.subarray(0, brotli.length - 4);
    expect(decodeCanonical(topic, cut)).toEqual({ ok: false, kind: 'batch', reason: 'not_decodable' });
  });

  it('counts a gzip batch that does not decompress as not decodable', () => {
    const cut = encodeBatchPayload(json, 'gzip').subarray(0, 20);
    expect(decodeCanonical(topic, cut)).toEqual({ ok: false, kind: 'batch', reason: 'not_decodable' });
  });

  it('reads only batches compressed: a gzip single reading is not JSON', () => {
    const reading = encodeBatchPayload(JSON.stringify({ ts, seq: 1, values: { pressure_mpa: 0.1 } }), 'gzip');
    const result = decodeCanonical(topics.telemetry('demo-village', 'gw-center', 'clinic-pressure'), reading);
    expect(result).toMatchObject({ ok: false, reason: 'not_json' });
  });
});
