/**
 * Key names whose values never reach a log line, at any depth: `password`,
 * `mqttPassword`, `token`, `apiToken`, `tokens`, `secret`, `webhookSecret`,
 * `authorization`, `cookie`, `passphrase`, `privateKey`.
 */
const SECRET_KEY = /(password|passphrase|secret|token|authorization|cookie|privatekey)s?$/i;

export const REDACTED = '[redacted]';

/** How deep scrubbing looks; log objects are shallow, a config is four or five levels. */
const MAX_DEPTH = 10;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A copy of a log object with the values of secret-named keys replaced, at any
 * depth. Untouched branches are returned as they are (nothing is copied when
 * nothing is secret), frozen input is never mutated, and only plain objects and
 * arrays are walked: errors, buffers and class instances go to pino's serializers.
 */
export function scrubSecrets<T>(value: T): T {
  return scrub(value, 0, new WeakSet()) as T;
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const clean = scrub(item, depth + 1, seen);
      if (clean !== item) (copy ??= [...value])[i] = clean;
    });
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  seen.add(value);
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const clean =
      isSecretKey(key) && item !== undefined && item !== null ? REDACTED : scrub(item, depth + 1, seen);
    if (clean !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = clean;
  }
  return copy ?? value;
}
