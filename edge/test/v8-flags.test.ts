import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectFile } from '../../runtime/index.js';

/**
 * The old generation's committed size after a full collection that left nine objects in ten
 * garbage (the rest held by a global, so none is collected early), in a Node started as the gateway's is (no flags of its own), with or without the
 * gateway's V8 flags set from code first, as edge/main.ts sets them.
 */
function oldSpaceAfterFullCollection(withGatewayFlags: boolean): number {
  const script = `
    if (${withGatewayFlags}) (await import(${JSON.stringify(projectFile('edge/v8-flags.ts'))})).setEdgeV8Flags();
    const { getHeapSpaceStatistics } = await import('node:v8');
    const kept = (globalThis.kept = []);
    for (let i = 0; i < 200_000; i++) kept.push({ i, text: 'x' + i });
    globalThis.gc();
    for (let i = 0; i < kept.length; i++) if (i % 10 !== 0) kept[i] = undefined;
    globalThis.gc();
    process.stdout.write(String(getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_size));
  `;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  return Number(out);
}

describe("the gateway's V8 flags", () => {
  it('set from code once V8 runs, give the pages a full collection emptied back', () => {
    const without = oldSpaceAfterFullCollection(false);
    const withFlags = oldSpaceAfterFullCollection(true);
    expect(without).toBeGreaterThan(0);
    expect(withFlags).toBeLessThan(without / 2);
  });
});
