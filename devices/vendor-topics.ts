import type { MqttProfile, VendorTopicMapping } from './profile-schema.js';

/** The concrete LAN topic a device publishes on, `{vendorId}` filled in. */
export function vendorTopicFor(pattern: string, vendorId: string): string {
  return pattern.replaceAll('{vendorId}', vendorId);
}

/** The MQTT subscription filter for a pattern: placeholders become `+`. */
export function vendorTopicFilter(pattern: string): string {
  return pattern.replace(/\{[a-zA-Z]+\}/g, '+');
}

/** Matches a concrete topic against a pattern and returns the placeholder values, or undefined. */
export function matchVendorTopic(pattern: string, topic: string): Record<string, string> | undefined {
  const patternLevels = pattern.split('/');
  const topicLevels = topic.split('/');
  if (patternLevels.length !== topicLevels.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < patternLevels.length; i++) {
    const expected = patternLevels[i] as string;
    const actual = topicLevels[i] as string;
    const placeholder = /^\{([a-zA-Z]+)\}$/.exec(expected);
    if (placeholder) {
      if (actual.length === 0) return undefined;
      params[placeholder[1] as string] = actual;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/** The first mapping of a profile whose pattern matches the topic. */
export function findVendorMapping(
  profile: MqttProfile,
  topic: string,
): { mapping: VendorTopicMapping<never>; params: Record<string, string> } | undefined {
  for (const mapping of profile.topics) {
    const params = matchVendorTopic(mapping.pattern, topic);
    if (params) return { mapping, params };
  }
  return undefined;
}
