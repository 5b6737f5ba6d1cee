import { describe, expect, it } from 'vitest';
import { SiteIndex } from '../engine/site-index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';
import { defaultRules, engineHarness } from './engine-harness.js';

describe('an overdue self-test under minute batches', () => {
  it('allows the batch interval the events may wait at the gateway before calling it overdue', () => {
    const [overdue] = defaultRules(['emergency-monthly-test-overdue']);
    if (overdue?.kind !== 'absence') throw new Error('absence rule emergency-monthly-test-overdue missing');
    // The demo site as shipped batches info events every 60 s; the rule is shortened to 30 s to see it.
    const sites = new SiteIndex([SiteRegistry.fromFile(DEMO_SITE_FILE)]);
    const h = engineHarness({ rules: [{ ...overdue, silenceS: 30 }], sites });
    const light = 'clinic-emergency-light';
    const firing = () => h.engine.alerts({ state: 'firing' }).filter((a) => a.device === light);
    h.event(light, 'emergency_self_test', { kind: 'monthly', result: 'pass' });
    h.run(85_000, 5_000);
    expect(firing()).toEqual([]);
    h.run(10_000, 5_000);
    expect(firing().map((a) => a.ruleId)).toEqual(['emergency-monthly-test-overdue']);
  });
});
