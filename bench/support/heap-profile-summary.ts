import { readFileSync } from 'node:fs';
import { fmt } from './report.js';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const frameName = ({ callFrame: f }: HeapNode) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/.*node_modules\//, '').replace(/.*bench-build\//, '')}:${f.lineNumber + 1}`;

/**
 * A sampling heap profile as sites: bytes allocated by each function itself, top `limit`,
 * with each site's share; `perSite` divides the total by one site's bytes (a site that
 * allocates the same per message in every build, e.g. `readPublish`, the read-ahead's
 * packet and topic), so profiles of runs of different lengths compare as allocation per
 * message.
 */
export function heapProfileTable(file: string, limit = 20, perSite = 'readPublish'): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode) => {
    const name = frameName(node);
    bySite.set(name, (bySite.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const reference = [...bySite].find(([name]) => name.startsWith(`${perSite} `))?.[1];
  const lines = [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(
      ([name, bytes]) => `| ${fmt((bytes / total) * 100, 1)} % | ${fmt(bytes / 2 ** 20, 1)} MiB | ${name} |`,
    );
  return [
    `total ${fmt(total / 2 ** 20, 1)} MiB sampled; ÷ ${perSite}: ${reference ? fmt(total / reference, 1) : 'n/a'}`,
    '',
    '| share | sampled | site |',
    '| --- | --- | --- |',
    ...lines,
  ].join('\n');
}
