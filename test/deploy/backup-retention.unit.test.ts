import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listBackups, msUntil, pruneBackups, restoreBackup, takeBackup } from '../../deploy/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backup-retention-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const day = 86_400_000;

function stateFolder(): string {
  const state = join(tempDir(), 'alerting');
  mkdirSync(join(state, 'nested'), { recursive: true });
  writeFileSync(join(state, 'alerting-journal.jsonl'), '{"kind":"alert"}\n');
  writeFileSync(join(state, 'nested', 'people.json'), '{"version":1}');
  return state;
}

describe('backups kept N days', () => {
  it('deletes backups older than keepDays and interrupted ones, never the newest', async () => {
    const root = tempDir();
    const areas = { alerting: stateFolder() };
    const now = new Date('2026-11-30T03:30:00Z');
    for (const age of [20, 15, 13, 1]) await takeBackup({ areas }, root, new Date(now.getTime() - age * day));
    mkdirSync(join(root, '.village-2026-11-30T03-00-00Z.partial'));
    const pruned = pruneBackups(root, 14, now);
    expect(pruned.map((f) => f.slice(-20))).toEqual(['2026-11-10T03-30-00Z', '2026-11-15T03-30-00Z']);
    expect(listBackups(root).map((b) => b.takenAt.toISOString())).toEqual([
      '2026-11-17T03:30:00.000Z',
      '2026-11-29T03:30:00.000Z',
    ]);
    // A server whose backups stopped a month ago keeps its last good one.
    expect(pruneBackups(root, 14, new Date(now.getTime() + 60 * day))).toHaveLength(1);
    expect(listBackups(root)).toHaveLength(1);
  });

  it('schedules the next run at HH:MM local time, tomorrow once it has passed', () => {
    const now = new Date(2026, 10, 30, 3, 0, 0);
    expect(msUntil('03:30', now)).toBe(30 * 60_000);
    expect(msUntil('03:00', now)).toBe(day);
    expect(msUntil('02:00', now)).toBe(23 * 3_600_000);
  });
});

describe('restore', () => {
  it('puts every file back where the area goes', async () => {
    const source = stateFolder();
    const { folder } = await takeBackup({ areas: { alerting: source } }, tempDir());
    const target = join(tempDir(), 'fresh', 'alerting');
    expect(await restoreBackup(folder, { areas: { alerting: target } })).toEqual(['alerting']);
    expect(readFileSync(join(target, 'nested', 'people.json'), 'utf8')).toBe('{"version":1}');
  });

  it('restores nothing from a damaged backup', async () => {
    const { folder } = await takeBackup({ areas: { alerting: stateFolder() } }, tempDir());
    writeFileSync(join(folder, 'state', 'alerting', 'nested', 'people.json'), '{"version":1,"x":1}');
    const target = join(tempDir(), 'alerting');
    await expect(restoreBackup(folder, { areas: { alerting: target } })).rejects.toThrow(
      /does not match its checksum/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a backup area it was not told where to put', async () => {
    const { folder } = await takeBackup({ areas: { alerting: stateFolder() } }, tempDir());
    await expect(restoreBackup(folder, { areas: {} })).rejects.toThrow(
      /areas this restore does not place: alerting/,
    );
  });
});
