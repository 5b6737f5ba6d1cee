import { describe, expect, it } from 'vitest';
import { escapeKey, escapeMeasurement, quoteString, toLineProtocol } from './line-protocol.js';
import { boolField, floatField, intField, stringField } from './point.js';

describe('line protocol escaping', () => {
  it('escapes commas and spaces in measurements, but not equals signs', () => {
    expect(escapeMeasurement('my measure,x=1')).toBe('my\\ measure\\,x=1');
  });

  it('escapes commas, equals signs, spaces and backslashes in keys and tag values', () => {
    expect(escapeKey('a b,c=d')).toBe('a\\ b\\,c\\=d');
    expect(escapeKey('back\\slash')).toBe('back\\\\slash');
    expect(escapeKey('line\nbreak')).toBe('line\\nbreak');
  });

  it('quotes string fields, escaping quotes and backslashes only', () => {
    expect(quoteString('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteString('C:\\path')).toBe('"C:\\\\path"');
    expect(quoteString('a, b = c')).toBe('"a, b = c"');
  });

  it('writes a whole point with sorted tags, typed fields and a ms timestamp', () => {
    const line = toLineProtocol({
      measurement: 'safety_event',
      tags: { type: 'door_forced', site: 'demo village', device: 'd,1', empty: '' },
      fields: {
        seq: intField(42),
        severity: stringField('critical'),
        data_json: stringField('{"note":"a \\"b\\" c\\\\d\nnext"}'),
        level: floatField(1.5),
        whole: floatField(3),
        ok: boolField(true),
      },
      timestampMs: 1_700_000_000_123,
    });
    expect(line).toBe(
      'safety_event,device=d\\,1,site=demo\\ village,type=door_forced ' +
        'seq=42i,severity="critical",data_json="{\\"note\\":\\"a \\\\\\"b\\\\\\" c\\\\\\\\d\nnext\\"}",level=1.5,whole=3,ok=true ' +
        '1700000000123',
    );
  });

  it('refuses a point without fields', () => {
    expect(() => toLineProtocol({ measurement: 'm', tags: {}, fields: {}, timestampMs: 1 })).toThrow(
      /no fields/,
    );
  });
});
