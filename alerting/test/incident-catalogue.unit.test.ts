import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_FILE, generatedCatalogue } from '../generate-catalogue.js';
import { catalogueRows } from '../rules/incident-catalogue.js';
import { DEFAULT_RULES_FILE, loadRules } from '../rules/load-rules.js';

describe('docs/incidents.md', () => {
  it('is what the rules say (run npm run incidents:generate after changing them)', () => {
    expect(readFileSync(CATALOGUE_FILE, 'utf8')).toBe(generatedCatalogue());
  });

  it('has a row for every incident class the issue lists, each with detection, clearing and zh text', () => {
    const rows = catalogueRows(loadRules([DEFAULT_RULES_FILE]));
    const ids = rows.map((r) => r.id);
    for (const id of [
      'fire-alarm',
      'fire-panel-fault',
      'fire-supervisory',
      'fire-detector-disabled',
      'fire-panel-lost',
      'fire-linkage-failure',
      'door-forced',
      'door-held-open',
      'reader-tamper',
      'access-denied-burst',
      'door-controller-silent',
      'camera-offline',
      'camera-tamper',
      'camera-silent',
      'emergency-lamp-fault',
      'emergency-battery-fault',
      'emergency-mains-lost',
      'emergency-self-test-failed',
      'emergency-monthly-test-overdue',
      'emergency-annual-test-overdue',
      'zone-power-outage',
      'building-power-outage',
      'gateway-power-outage',
      'phase-loss',
      'undervoltage',
      'undervoltage-three-phase',
      'overvoltage',
      'frequency-deviation',
      'overload',
      'phase-imbalance',
      'zone-water-outage',
      'low-pressure',
      'high-pressure',
      'turbidity-high',
      'turbidity-high-small-supply',
      'ph-out-of-range',
      'free-chlorine-out-of-range',
      'night-flow-leak',
      'meter-silent',
      'meter-garbage',
      'gateway-offline',
      'gateway-network-fault',
      'gateway-clock-skew',
    ])
      expect(ids).toContain(id);
    for (const row of rows) {
      expect(row.group, row.id).not.toBe('other');
      expect(row.detection.zh, row.id).toMatch(/[\u4e00-\u9fff]/);
      expect(row.clears.zh, row.id).not.toBe('');
      expect(row.title.zh, row.id).toMatch(/[\u4e00-\u9fff]/);
    }
    const power = rows.find((r) => r.id === 'zone-power-outage');
    expect(power?.suppresses.zh).toContain('电压过低（单相）');
    expect(power?.suppresses.zh).toContain('同一片区');
  });
});
