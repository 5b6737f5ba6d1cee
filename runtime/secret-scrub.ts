/**
 * Key names whose values never reach a log line, at any depth: `password`,
 * `mqttPassword`, `token`, `apiToken`, `tokens`, `secret`, `webhookSecret`,
 * `authorization`, `cookie`, `passphrase`, `privateKey`.
 */
const SECRET_KEY = /(password|passphrase|secret|token|authorization|cookie|privatekey)s?$/i;

export const REDACTED = '[redacted]';

/** How deep scrubbing looks; log objects are shallow, a config is four or five levels. */
const MAX_DEPTH = 10;

/**
 * The longest string value a log line keeps; the rest is counted, not written. Client
 * ids, usernames and topics come off the network (MQTT allows 64 KiB each): a client
 * must not be able to write hundreds of KB of log per refused CONNECT.
 */
export const MAX_LOGGED_STRING = 512;

/** `scheme://user:password@`: the password goes. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]*)@/gi;
/** Query parameters that carry a secret: robot keys (WeCom `key`, DingTalk `access_token`), InfluxDB 1.x's `p`. */
const SECRET_QUERY_PARAM =
  /([?&](?:key|access_token|token|secret|sign|signature|password|passwd|pwd|p|apikey|api_key)=)[^&#\s]*/gi;
/** Feishu's robot token is the path segment after `/hook/`. */
const HOOK_PATH_TOKEN = /(\/hook\/)[^/?#\s]+/gi;

/** A URL (or any text holding URLs) without the credentials in it. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://') && !text.includes('?') && !text.includes('/hook/')) return text;
  return text
    .replace(URL_USERINFO, `$1$2:${REDACTED}@`)
    .replace(SECRET_QUERY_PARAM, `$1${REDACTED}`)
    .replace(HOOK_PATH_TOKEN, `$1${REDACTED}`);
}

/** A string value as a log line may hold it: credentials out of URLs first, then cut to length. */
function scrubString(value: string): string {
  const clean = redactUrlCredentials(value);
  if (clean.length <= MAX_LOGGED_STRING) return clean;
  return `${clean.slice(0, MAX_LOGGED_STRING)}…(+${clean.length - MAX_LOGGED_STRING} chars)`;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A copy of a log object with the values of secret-named keys replaced, at any
 * depth, credentials taken out of URLs, and strings cut to MAX_LOGGED_STRING. Untouched branches are returned as they are (nothing is copied when
 * nothing is secret), frozen input is never mutated, and only plain objects and
 * arrays are walked: errors, buffers and class instances go to pino's serializers.
 */
export function scrubSecrets<T>(value: T): T {
  return scrub(value, 0, new WeakSet()) as T;
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubString(value);
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

/**
 * A serialised error with its message cleaned like any logged string; the stack keeps
 * its frames (they are ours, and long), only the message at its head is replaced.
 * Callers also log `{ err: error.message }`: a string is cleaned as a string.
 */
export function scrubError(error: unknown): unknown {
  if (typeof error === 'string') return scrubString(error);
  if (error === null || typeof error !== 'object') return error;
  const { message, stack } = error as { message?: unknown; stack?: unknown };
  if (typeof message !== 'string') return error;
  const clean = scrubString(message);
  const cleanStack = typeof stack === 'string' ? redactUrlCredentials(stack.replace(message, clean)) : stack;
  if (clean === message && cleanStack === stack) return error;
  return { ...error, message: clean, stack: cleanStack };
}
