import { CodedError, projectFile, readConfigFile } from '../../runtime/index.js';
import { ruleFileSchema, ruleSchema, type Rule } from './rule-schema.js';

export const DEFAULT_RULES_FILE = projectFile('alerting/rules/village-defaults.yaml');

type RawRule = Record<string, unknown> & { id?: unknown };

/**
 * Loads rule files in order, then per-site override files: an override entry with
 * the id of an existing rule replaces that rule's top-level keys (`enabled: false`
 * turns it off, `fire: {...}` replaces the whole condition); an unknown id adds a rule.
 * Every problem in every file is listed before failing.
 */
export function loadRules(ruleFiles: readonly string[], overrideFiles: readonly string[] = []): Rule[] {
  const problems: string[] = [];
  const merged = new Map<string, { raw: RawRule; source: string }>();
  const read = (file: string, isOverride: boolean) => {
    const parsed = ruleFileSchema.safeParse(readConfigFile(file));
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      return;
    }
    parsed.data.rules.forEach((entry, index) => {
      if (
        typeof entry !== 'object' ||
        entry === null ||
        Array.isArray(entry) ||
        typeof (entry as RawRule).id !== 'string'
      ) {
        problems.push(`${file}: rules.${index}: must be a mapping with a string "id"`);
        return;
      }
      const raw = entry as RawRule;
      const id = raw.id as string;
      const existing = merged.get(id);
      if (existing && !isOverride) problems.push(`${file}: rules.${index}: duplicate rule id "${id}"`);
      const base = isOverride && existing ? existing.raw : {};
      merged.set(id, { raw: { ...base, ...raw }, source: `${file}: rules.${index}` });
    });
  };
  for (const file of ruleFiles) read(file, false);
  for (const file of overrideFiles) read(file, true);

  const rules: Rule[] = [];
  for (const { raw, source } of merged.values()) {
    const result = ruleSchema.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push(`${source} (${String(raw.id)}): ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      continue;
    }
    rules.push(result.data);
  }
  const ids = new Set(rules.map((r) => r.id));
  const named = (rule: Rule, list: string, names: readonly string[]) => {
    for (const name of names) {
      if (!ids.has(name)) problems.push(`rule "${rule.id}": ${list} names unknown rule "${name}"`);
      else if (name === rule.id) problems.push(`rule "${rule.id}": ${list} cannot name the rule itself`);
    }
  };
  for (const rule of rules) {
    named(
      rule,
      'inhibits',
      rule.inhibits.flatMap((i) => i.rules),
    );
    if (rule.kind !== 'correlation') continue;
    named(rule, 'sourceRules', rule.sourceRules);
    named(rule, 'evidenceRules', rule.evidenceRules);
  }
  if (problems.length > 0)
    throw new CodedError('CONFIG_INVALID', `alert rules:\n  - ${problems.join('\n  - ')}`);
  return rules;
}
