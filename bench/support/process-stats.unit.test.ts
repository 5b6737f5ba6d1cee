import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSmaps } from './process-stats.js';

/** Mappings as Linux 6 writes them (a file, the main heap, anonymous memory, a deleted file, [vsyscall]), some fields left out. */
const SAMPLE = `55cb02036000-55cb02038000 r--p 00000000 fe:00 260386                     /usr/bin/node
Size:                  8 kB
KernelPageSize:        4 kB
Rss:                   8 kB
Pss:                   4 kB
Pss_Dirty:             0 kB
Shared_Clean:          8 kB
Anonymous:             0 kB
AnonHugePages:         0 kB
Swap:                 16 kB
SwapPss:              12 kB
THPeligible:    0
VmFlags: rd mr mw me sd
55cb0356e000-55cb05a2f000 rw-p 00000000 00:00 0                          [heap]
Size:              37636 kB
Rss:               37120 kB
Pss:               37110 kB
Anonymous:         37120 kB
VmFlags: rd wr mr mw me ac sd
7f2c58000000-7f2c5c000000 rw-p 00000000 00:00 0 
Size:              65536 kB
Rss:                 132 kB
Pss:                 132 kB
Anonymous:           132 kB
7f2c60000000-7f2c60001000 rw-s 00000000 00:01 1033                       /memfd:doublemapper (deleted)
Size:                  4 kB
Rss:                   0 kB
Pss:                   0 kB
Anonymous:             0 kB
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
Size:                  4 kB
Rss:                   0 kB
Pss:                   0 kB
Anonymous:             0 kB
`;

const ROLLUP = `5651ab87f000-7ffd3991d000 ---p 00000000 00:00 0                          [rollup]
Rss:                1724 kB
Pss:                 196 kB
Pss_Anon:            112 kB
Anonymous:           112 kB
`;

const KIB = 1024;

describe('parseSmaps', () => {
  it('reads each mapping of a fixed sample exactly', () => {
    expect(parseSmaps(SAMPLE)).toEqual([
      {
        start: 0x55cb02036000n,
        end: 0x55cb02038000n,
        perms: 'r--p',
        name: '/usr/bin/node',
        size: 8 * KIB,
        rss: 8 * KIB,
        pss: 4 * KIB,
        anonymous: 0,
      },
      {
        start: 0x55cb0356e000n,
        end: 0x55cb05a2f000n,
        perms: 'rw-p',
        name: '[heap]',
        size: 37636 * KIB,
        rss: 37120 * KIB,
        pss: 37110 * KIB,
        anonymous: 37120 * KIB,
      },
      {
        start: 0x7f2c58000000n,
        end: 0x7f2c5c000000n,
        perms: 'rw-p',
        name: '',
        size: 65536 * KIB,
        rss: 132 * KIB,
        pss: 132 * KIB,
        anonymous: 132 * KIB,
      },
      {
        start: 0x7f2c60000000n,
        end: 0x7f2c60001000n,
        perms: 'rw-s',
        name: '/memfd:doublemapper (deleted)',
        size: 4 * KIB,
        rss: 0,
        pss: 0,
        anonymous: 0,
      },
      {
        start: 0xffffffffff600000n,
        end: 0xffffffffff601000n,
        perms: '--xp',
        name: '[vsyscall]',
        size: 4 * KIB,
        rss: 0,
        pss: 0,
        anonymous: 0,
      },
    ]);
  });

  it('reads smaps_rollup as one mapping, Size absent', () => {
    const [rollup, ...rest] = parseSmaps(ROLLUP);
    expect(rest).toEqual([]);
    expect(rollup).toMatchObject({ name: '[rollup]', rss: 1724 * KIB, pss: 196 * KIB, anonymous: 112 * KIB });
    expect(rollup?.size).toBeNaN();
  });

  it("reads this process's own smaps: every mapping, its fields where they belong", () => {
    const text = readFileSync('/proc/self/smaps', 'utf8');
    const mappings = parseSmaps(text);
    const lines = text.split('\n');
    // Every line is a mapping's header or a `Field: value` line.
    const headers = lines.filter((line) => line !== '' && !/^[A-Za-z_]+:/.test(line));
    expect(mappings).toHaveLength(headers.length);
    const sumOf = (field: string) =>
      lines.reduce((sum, line) => sum + Number(new RegExp(`^${field}: +(\\d+) kB$`).exec(line)?.[1] ?? 0), 0);
    expect(mappings.reduce((sum, m) => sum + m.rss, 0)).toBe(sumOf('Rss') * KIB);
    expect(mappings.reduce((sum, m) => sum + m.pss, 0)).toBe(sumOf('Pss') * KIB);
    expect(mappings.reduce((sum, m) => sum + m.anonymous, 0)).toBe(sumOf('Anonymous') * KIB);
    for (const m of mappings) {
      // Size is the address range: a field taken from the next or the previous mapping shows here.
      expect(m.size).toBe(Number(m.end - m.start));
      expect(m.rss).toBeLessThanOrEqual(m.size);
      expect(m.pss).toBeLessThanOrEqual(m.rss);
      expect(m.anonymous).toBeLessThanOrEqual(m.rss);
      expect(m.perms).toMatch(/^[r-][w-][x-][ps]$/);
    }
    expect(mappings.filter((m) => m.name === '[heap]')).toHaveLength(1);
    expect(mappings.some((m) => m.name === '[stack]' && m.rss > 0)).toBe(true);
    expect(mappings.some((m) => m.name === process.execPath && m.perms === 'r-xp' && m.rss > 0)).toBe(true);
  });
});
