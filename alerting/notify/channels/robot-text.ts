import type { MENTION_MODES } from '../channel-config.js';

/** Whom to @-mention: the given numbers, or everyone (mode `all`, or `on-duty` with no number known). */
export function mentionTargets(
  mode: (typeof MENTION_MODES)[number],
  mobiles: readonly string[],
): { all: boolean; mobiles: string[] } {
  if (mode === 'all' || mobiles.length === 0) return { all: true, mobiles: [] };
  return { all: false, mobiles: [...new Set(mobiles)] };
}

/** At most `max` characters, with "…" when cut (cards show short fields). */
export function truncateText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
