import { DEFAULT_RULES_FILE, loadRules } from '../alerting/index.js';
import type { RuleTitle } from './compute/alert-classes.js';

/** Rule id → its Chinese and English title, from alerting's rule files (the defaults unless told). */
export function ruleTitles(ruleFiles: readonly string[] = [DEFAULT_RULES_FILE]): Map<string, RuleTitle> {
  return new Map(loadRules(ruleFiles).map((rule) => [rule.id, { zh: rule.title_zh, en: rule.title_en }]));
}
