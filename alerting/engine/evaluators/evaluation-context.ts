import type { Rule } from '../../rules/rule-schema.js';
import type { AlertBook } from '../alert-book.js';
import type { Clock } from '../clock.js';
import type { EnginePolicy } from '../engine-policy.js';
import type { ObservedState } from '../observed-state.js';
import type { SiteIndex } from '../site-index.js';

/** What every evaluator reads and writes. */
export interface EvaluationContext {
  book: AlertBook;
  sites: SiteIndex;
  observed: ObservedState;
  clock: Clock;
  policy: EnginePolicy;
  /** When the engine started: devices never seen count as seen then. */
  startedAt: number;
}

export function rulesOfKind<K extends Rule['kind']>(
  rules: readonly Rule[],
  kind: K,
): Extract<Rule, { kind: K }>[] {
  return rules.filter((r): r is Extract<Rule, { kind: K }> => r.kind === kind && r.enabled);
}
