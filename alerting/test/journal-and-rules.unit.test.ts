import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../notify/delivery-schema.js';
import type { JournalRecord } from '../persistence/journal-records.js';
import { JOURNAL_FORMAT, Journal } from '../persistence/journal.js';
import { toLine } from '../persistence/line-protocol.js';
import { DEFAULT_RULES_FILE, loadRules } from '../rules/load-rules.js';
import { engineHarness } from './engine-harness.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-unit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('journal', () => {
  it('keeps used one-tap links across a restart until they expire, then drops them at compaction', () => {
    const dir = tempDir();
    const journal = new Journal({ dir });
    journal.open();
    const now = Date.now();
    journal.append([
      { t: 'link-used', nonce: 'still-valid-nonce-0001', expiresAt: now + 3600_000, at: now },
      { t: 'link-used', nonce: 'expired-nonce-00000001', expiresAt: now - 1, at: now - 7200_000 },
    ]);
    journal.close();
    const reopened = new Journal({ dir });
    const state = reopened.open(); // open() compacts
    expect([...state.usedLinks.keys()]).toEqual(['still-valid-nonce-0001']);
    reopened.close();
    expect(readFileSync(join(dir, 'alerting-journal.jsonl'), 'utf8')).not.toContain('expired-nonce');
  });

  it('keeps records whose sync runs off the event loop through compactions and a restart', async () => {
    const dir = tempDir();
    const journal = new Journal({ dir, compactAfterLines: 7 });
    journal.open();
    for (let i = 0; i < 40; i++) {
      journal.append([{ t: 'evidence', key: `rule/demo-village/meter-${i % 9}`, at: 1_000 + i }], {
        sync: 'soon',
      });
      // Some syncs finish between appends, some are still on libuv's pool when a compaction closes the file.
      if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    journal.close();
    const state = new Journal({ dir }).open();
    expect(state.evidence.size).toBe(9);
    for (let m = 0; m < 9; m++) {
      const last = Math.max(...Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 9 === m));
      expect(state.evidence.get(`rule/demo-village/meter-${m}`)).toBe(1_000 + last);
    }
  });

  it('tells every caller of synced() when its records are on disk, through compactions and a close', async () => {
    const dir = tempDir();
    const journal = new Journal({ dir, compactAfterLines: 5 });
    journal.open();
    const settled: number[] = [];
    const waits: Array<Promise<void>> = [];
    for (let i = 0; i < 30; i++) {
      journal.append([{ t: 'evidence', key: `rule/demo-village/meter-${i}`, at: 1_000 + i }], {
        sync: 'soon',
      });
      waits.push(journal.synced().then(() => void settled.push(i)));
      if (i % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waits.slice(0, 20));
    expect(settled.length).toBeGreaterThanOrEqual(20);
    journal.close();
    await Promise.all(waits);
    expect(settled.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await expect(journal.synced()).resolves.toBeUndefined();
    expect(new Journal({ dir }).open().evidence.size).toBe(30);
  });

  it('keeps the keys of the deliveries still to go out, as appended and as replayed', () => {
    const h = engineHarness();
    h.event('canteen-fire-panel', 'fire_alarm', { loop: 1 });
    const alert = h.outputs.at(-1)!.changes[0]!.alert;
    const delivery = (key: string, status: Delivery['status']): JournalRecord => ({
      t: 'delivery',
      v: {
        key,
        intentId: `${alert.id}/firing`,
        reason: 'firing',
        contactId: 'duty',
        channelId: 'duty/webhook/0',
        channelType: 'webhook',
        language: 'zh',
        status,
        attempts: 0,
        nextAttemptAt: 0,
        createdAt: 0,
        updatedAt: 0,
        people: [],
        part: 'message',
        alert,
      },
    });
    const dir = tempDir();
    const journal = new Journal({ dir });
    journal.open();
    journal.append([delivery('a', 'pending'), delivery('b', 'pending'), delivery('c', 'pending')]);
    journal.append([delivery('a', 'sending'), delivery('b', 'delivered'), delivery('c', 'failed')]);
    journal.append([delivery('c', 'pending'), delivery('d', 'superseded')]);
    expect([...journal.state.unsent].sort()).toEqual(['a', 'c']);
    journal.close();
    const state = new Journal({ dir }).open();
    expect([...state.unsent].sort()).toEqual(['a', 'c']);
    expect(state.deliveries.size).toBe(4);
  });

  it('replays the last state of every alert, skips a torn last line, and compacts', () => {
    const dir = tempDir();
    const h = engineHarness({ start: Date.UTC(2025, 5, 1) });
    const journal = new Journal({ dir, compactAfterLines: 1_000 });
    journal.open();
    h.event('clinic-door', 'door_forced');
    h.event('shop-camera', 'camera_offline');
    h.event('shop-camera', 'camera_online');
    for (const output of h.outputs)
      journal.append(output.changes.map((c) => ({ t: 'alert' as const, v: c.alert })));
    journal.close();
    appendFileSync(journal.file, '{"t":"alert","v":{"id":"half-writ');

    const replayed = new Journal({ dir });
    const state = replayed.open();
    expect(replayed.skipped).toBe(1);
    expect([...state.alerts.values()].map((a) => `${a.ruleId}:${a.state}`).sort()).toEqual([
      'camera-offline:resolved',
      'door-forced:firing',
    ]);
    // compaction at open rewrote the format line and one line per live alert
    const lines = readFileSync(replayed.file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toEqual(JOURNAL_FORMAT);
    replayed.close();
  });

  it('reads a journal from before the format line and marks it with its format', () => {
    const dir = tempDir();
    const h = engineHarness({ start: Date.UTC(2025, 5, 1) });
    const journal = new Journal({ dir });
    journal.open();
    h.event('clinic-door', 'door_forced');
    for (const output of h.outputs)
      journal.append(output.changes.map((c) => ({ t: 'alert' as const, v: c.alert })));
    journal.close();
    const withoutFormat = readFileSync(journal.file, 'utf8').split('\n').slice(1).join('\n');
    writeFileSync(journal.file, withoutFormat);

    const reopened = new Journal({ dir });
    const state = reopened.open();
    reopened.close();
    expect(reopened.skipped).toBe(0);
    expect([...state.alerts.values()].map((a) => `${a.ruleId}:${a.state}`)).toEqual(['door-forced:firing']);
    expect(JSON.parse(readFileSync(journal.file, 'utf8').split('\n')[0]!)).toEqual(JOURNAL_FORMAT);
  });

  it('refuses a journal written in another format and leaves it as it was', () => {
    const dir = tempDir();
    const journal = new Journal({ dir });
    const newer = `${JSON.stringify({ ...JOURNAL_FORMAT, version: 2 })}\n{"t":"alert-v2","alert":{}}\n`;
    writeFileSync(journal.file, newer);
    expect(() => journal.open()).toThrow(
      /alerting-journal format 2; this release reads alerting-journal format 1: start the release that wrote it/,
    );
    expect(readFileSync(journal.file, 'utf8')).toBe(newer);
  });
});

describe('rule files', () => {
  it('merges per-site overrides by rule id and adds new rules', () => {
    const dir = tempDir();
    const overrides = join(dir, 'site-overrides.yaml');
    writeFileSync(
      overrides,
      [
        'version: 1',
        'rules:',
        '  - { id: low-pressure, fire: { op: "<", value: 0.1 }, clear: { op: ">=", value: 0.12 } }',
        '  - { id: camera-tamper, enabled: false }',
        '  - { id: pump-room-door, kind: event, severity: critical, clause: "6.1.5", title_zh: 泵房门被打开, title_en: Pump room door opened, events: [door_opened], selectors: { devices: [water-station-door] } }',
      ].join('\n'),
    );
    const rules = loadRules([DEFAULT_RULES_FILE], [overrides]);
    const low = rules.find((r) => r.id === 'low-pressure');
    expect(low?.kind === 'threshold' && low.fire).toEqual({ op: '<', value: 0.1 });
    expect(low?.kind === 'threshold' && low.forS).toBe(60);
    expect(rules.find((r) => r.id === 'camera-tamper')?.enabled).toBe(false);
    expect(rules.find((r) => r.id === 'pump-room-door')?.selectors.devices).toEqual(['water-station-door']);
  });

  it('lists every problem with the file and field', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'version: 1',
        'rules:',
        '  - { id: no-kind, severity: warning, clause: x, title_zh: x, title_en: x }',
        '  - { id: bad-range, kind: threshold, severity: warning, clause: x, title_zh: x, title_en: x, fields: [pressure_mpa], fire: { outside: [2, 1] } }',
        '  - { id: bad-source, kind: correlation, severity: warning, clause: x, title_zh: x, title_en: x, mode: zone_outage, sourceRules: [nope] }',
      ].join('\n'),
    );
    expect(() => loadRules([bad])).toThrow(
      /no-kind[\s\S]*bad-range[\s\S]*low ≤ high[\s\S]*unknown rule "nope"/,
    );
  });
});

describe('line protocol', () => {
  it('escapes tags and string fields and leaves out empty ones', () => {
    const line = toLine({
      measurement: 'alert',
      tags: { site: 'demo village', zone: 'a,b', rule: 'x=y', severity: undefined },
      fields: { message: 'say "hi" \\ there', value: 1.5, device: undefined },
      timestampMs: 1700000000000,
    });
    expect(line).toBe(
      'alert,rule=x\\=y,site=demo\\ village,zone=a\\,b message="say \\"hi\\" \\\\ there",value=1.5 1700000000000',
    );
  });
});
