import { describe, expect, it } from 'vitest';
import { EVENT_ENDS, EVENT_SEVERITY, type EventType } from '../../contracts/index.js';
import { DEFAULT_RULES_FILE, loadRules } from '../rules/load-rules.js';

const isDeviceEvent = (type: string): type is EventType => type in EVENT_SEVERITY;

/**
 * A gateway batching info events sends one at once only when EVENT_ENDS says it ends a
 * warning or critical state (docs/uplink.md): every info event a rule clears a warning or
 * critical one with must be listed there, or its alert (and an incident holding it back)
 * would see the recovery up to a batch interval late.
 */
describe('EVENT_ENDS covers every recovery the default rules read', () => {
  it('lists each info event that clears a warning or critical event in an event or linkage rule', () => {
    const missing: string[] = [];
    const need = (end: string, state: string) => {
      if (!isDeviceEvent(end) || !isDeviceEvent(state)) return;
      if (EVENT_SEVERITY[end] !== 'info' || EVENT_SEVERITY[state] === 'info') return;
      if (!(EVENT_ENDS[end] ?? []).includes(state)) missing.push(`${end} ends ${state}`);
    };
    let pairs = 0;
    for (const rule of loadRules([DEFAULT_RULES_FILE])) {
      if (rule.kind === 'event') {
        for (const clear of rule.clear ?? [])
          for (const end of clear.events)
            for (const state of rule.events) {
              need(end, state);
              pairs++;
            }
      }
      if (rule.kind === 'linkage') {
        for (const end of rule.triggerClear?.events ?? [])
          for (const state of rule.trigger.events) need(end, state);
        for (const end of rule.expectOff) for (const state of rule.expect.events) need(end, state);
      }
    }
    expect(pairs).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  it('pairs only an info event with warning or critical states', () => {
    for (const [end, states] of Object.entries(EVENT_ENDS)) {
      expect(EVENT_SEVERITY[end as EventType]).toBe('info');
      for (const state of states ?? []) expect(EVENT_SEVERITY[state]).not.toBe('info');
    }
  });
});
