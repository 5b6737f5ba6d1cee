import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE } from '../../site/index.js';
import { SiteDirectory } from './site-directory.js';
import { validateMessage, type ValidationContext } from './validate-message.js';

/**
 * JSON.parse makes `"__proto__"` an own key like any other, and zod's record dropped it
 * without a word: a reading or an event holding one was stored without it, where every
 * other bad field name is refused and dead-lettered with its code.
 */
const NOW = 1_750_000_000_000;
const context: ValidationContext = {
  sites: SiteDirectory.fromFiles([DEMO_SITE_FILE]),
  maxPayloadBytes: 64 * 1024,
  maxAgeDays: 30,
  maxFutureS: 300,
  now: () => NOW,
};
const outcomeOf = (topic: string, text: string) => {
  const outcome = validateMessage(topic, Buffer.from(text), context);
  return { accepted: outcome.accepted.length, codes: outcome.rejected.map((r) => r.code) };
};
const PROTO = '"__proto__":{"voltage_v":1}';

describe('a "__proto__" key in a message', () => {
  it('refuses the reading, the event and the batch item that hold one, with a code', () => {
    expect(
      outcomeOf(
        'v1/demo-village/gw-center/clinic-power/telemetry',
        `{"ts":${NOW},"seq":1,"values":{"voltage_v":230,${PROTO}}}`,
      ),
    ).toEqual({ accepted: 0, codes: ['PAYLOAD_INVALID'] });
    expect(
      outcomeOf(
        'v1/demo-village/gw-center/canteen-fire-panel/event',
        `{"ts":${NOW},"seq":1,"type":"fire_fault","data":{${PROTO}}}`,
      ),
    ).toEqual({ accepted: 0, codes: ['PAYLOAD_INVALID'] });
    expect(
      outcomeOf(
        'v1/demo-village/gw-center/batch',
        `{"ts":${NOW},"telemetry":[{"device":"clinic-power","ts":${NOW},"seq":1,"values":{"voltage_v":230,${PROTO}}},` +
          `{"device":"clinic-power","ts":${NOW},"seq":2,"values":{"voltage_v":231}}]}`,
      ),
    ).toEqual({ accepted: 1, codes: ['PAYLOAD_INVALID'] });
  });
});
