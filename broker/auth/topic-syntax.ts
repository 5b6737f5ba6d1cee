/**
 * MQTT topic syntax checks the ACL relies on. aedes already refuses wildcards in
 * PUBLISH; these also refuse empty levels and `$`-topics, so a rule can compare
 * levels literally.
 */
export function topicLevels(topic: string): string[] {
  return topic.split('/');
}

/** U+0000 may not appear in a topic name or filter ([MQTT-4.7.3-2]); aedes does not check. */
export function hasNulCharacter(topic: string): boolean {
  return topic.includes('\u0000');
}

/** A concrete topic a client may name in PUBLISH or as its will. */
export function isConcreteTopic(topic: string): boolean {
  if (topic.length === 0 || topic.startsWith('$') || hasNulCharacter(topic)) return false;
  return topicLevels(topic).every(
    (level) => level.length > 0 && !level.includes('+') && !level.includes('#'),
  );
}

/** A well-formed subscription filter ([MQTT-4.7.1-2], [MQTT-4.7.1-3]) without empty levels or `$`. */
export function isWellFormedFilter(filter: string): boolean {
  if (filter.length === 0 || filter.startsWith('$') || hasNulCharacter(filter)) return false;
  const levels = topicLevels(filter);
  return levels.every((level, index) => {
    if (level.length === 0) return false;
    if (level === '#') return index === levels.length - 1;
    if (level === '+') return true;
    return !level.includes('+') && !level.includes('#');
  });
}

export function isWildcardLevel(level: string): boolean {
  return level === '+' || level === '#';
}
