import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  rmdirSync,
  writeSync,
} from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small tmpfs, so a test can fill a disk without filling the machine's. Needs
 * CAP_SYS_ADMIN (root in most CI containers); `tmpfsAvailable()` says whether it works here.
 */
export function tmpfsAvailable(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'faults-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}

export function mountTmpfs(dir: string, sizeBytes: number): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

/** Takes every free byte of the file system holding `dir` (a big preallocation, then the rest chunk by chunk). */
export async function fillDisk(file: string, dir: string): Promise<number> {
  const stats = await statfs(dir);
  const bulk = Math.max(0, stats.bavail * stats.bsize - 4 * 1024 * 1024);
  if (bulk > 0) execFileSync('fallocate', ['-l', String(bulk), file]);
  const fd = openSync(`${file}.rest`, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let rest = 0;
  try {
    for (;;) rest += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return bulk + rest;
}

/**
 * After `fillDisk`, takes the last bytes too: it leaves less than a 64 KB chunk, where small
 * appends (LevelDB's log, alerting's journal) still fit.
 */
export function fillLastBytes(file: string): void {
  for (const size of [4096, 1]) {
    try {
      for (;;) appendFileSync(`${file}.last`, Buffer.alloc(size));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
  }
}

/** Frees what `fillDisk` and `fillLastBytes` took. */
export function freeDisk(file: string): void {
  for (const part of [file, `${file}.rest`, `${file}.last`]) rmSync(part, { force: true });
}
