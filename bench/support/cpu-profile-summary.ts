import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../runtime/index.js';
import { fmt, markdownTable } from './report.js';

/** The project's files (sources, or the build in dist/ or data/bench-build/) are owned by their top folder. */
const PROJECT_URL = pathToFileURL(`${PROJECT_ROOT}/`).href;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfPct: number;
}

/** Where a function lives: a package under node_modules, a project folder, or node itself. */
function ownerOf(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith(PROJECT_URL)) {
    const inProject = url.slice(PROJECT_URL.length).replace(/^(data\/bench-build|dist)\//, '');
    return inProject.split('/')[0] as string;
  }
  if (url.startsWith('node:')) return 'node core';
  return url === '' ? '(native / gc / idle)' : url;
}

/**
 * Self time of a V8 `.cpuprofile` by function and by owner (package or project folder), busy time only;
 * samples in the first `skipMs` of the profile (start-up, warm-up) are left out.
 */
export function summariseCpuProfile(
  file: string,
  top = 15,
  skipMs = 0,
): { functions: ProfileEntry[]; owners: ProfileEntry[]; busyMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let elapsedUs = 0;
  profile.samples.forEach((id, i) => {
    elapsedUs += profile.timeDeltas[i] ?? 0;
    if (elapsedUs >= skipMs * 1000) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    busy += us;
    const file = frame.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '');
    const name =
      `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
    const owner = frame.functionName === '(garbage collector)' ? 'GC' : ownerOf(frame.url);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfPct: (us / busy) * 100 }));
  return { functions: rank(functions), owners: rank(owners), busyMs: busy / 1000 };
}

/** A summary as two markdown tables, self time by owner and by function. */
export function profileTables(summary: ReturnType<typeof summariseCpuProfile>): string {
  return [
    markdownTable(
      ['owner', 'self %'],
      summary.owners.map((o) => [o.name, fmt(o.selfPct, 1)]),
    ),
    '',
    markdownTable(
      ['function', 'self %'],
      summary.functions.map((f) => [f.name, fmt(f.selfPct, 1)]),
    ),
  ].join('\n');
}
