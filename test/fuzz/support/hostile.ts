import fc from 'fast-check';

/**
 * Building blocks of hostile input. Payloads are made as JSON *text*, so they can
 * carry what `JSON.stringify` never writes: `NaN`, `1e309`, leading zeros, deep
 * nesting, and invalid UTF-8 (see {@link INVALID_UTF8}).
 */

/** Characters that break topics, line protocol, JSON, logs or file paths. */
export const NASTY_CHARS = [
  ' ',
  ',',
  '=',
  '\\',
  '"',
  "'",
  '\n',
  '\r',
  '\t',
  '+',
  '#',
  '/',
  '..',
  '$',
  '\u0000',
  '\u007f',
  '\ud800',
  '\udfff',
  '\ufeff',
  'é',
  '中',
  '🙂',
  '{',
  '}',
  ':',
  '*',
  '%',
  'A',
  'Z',
];

export const hostileString = fc.string({
  unit: fc.oneof(fc.constantFrom(...NASTY_CHARS), fc.constantFrom('a', 'z', '0', '9', '-', '_')),
  maxLength: 24,
});

/** Strings aimed at the id slots of topics and tags: wildcards, separators, injection. */
export const hostileId = fc.oneof(
  hostileString,
  fc.constantFrom(
    '',
    '+',
    '#',
    '..',
    '.',
    'a/b',
    'a b',
    'a,b',
    'a=b',
    'a"b',
    "a'b",
    'a\nb',
    'a\\b',
    'Gw-Center',
    '-lead',
    'x'.repeat(64),
    'x'.repeat(5000),
    'demo-village ',
    'clinic-power,site=evil',
    'm f=1 1',
    '$SYS',
    'alerts',
  ),
);

/**
 * Placeholders for byte sequences that are not UTF-8: the payload text holds a
 * private-use character which {@link toBytes} swaps for the raw bytes.
 */
export const INVALID_UTF8: ReadonlyArray<readonly [string, Buffer]> = [
  ['\ue000', Buffer.from([0xff])],
  ['\ue001', Buffer.from([0xc0, 0xaf])], // overlong '/'
  ['\ue002', Buffer.from([0xed, 0xa0, 0x80])], // encoded surrogate
  ['\ue003', Buffer.from([0xe2, 0x82])], // truncated sequence
  ['\ue004', Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])], // 5-byte form
];

export function toBytes(text: string): Buffer {
  let bytes = Buffer.from(text, 'utf8');
  for (const [marker, raw] of INVALID_UTF8) {
    const encoded = Buffer.from(marker, 'utf8');
    let at = bytes.indexOf(encoded);
    while (at !== -1) {
      bytes = Buffer.concat([bytes.subarray(0, at), raw, bytes.subarray(at + encoded.length)]);
      at = bytes.indexOf(encoded, at + raw.length);
    }
  }
  return bytes;
}

const invalidUtf8String = fc
  .array(fc.constantFrom('a', ' ', ...INVALID_UTF8.map(([marker]) => marker)), { minLength: 1, maxLength: 6 })
  .map((units) => `"${units.join('')}"`);

const DEPTHS = [64, 1000, 10_000] as const;
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const DEEP = DEPTHS.flatMap((depth) => [deepArray(depth), deepObject(depth)]);

/** JSON (and not-quite-JSON) text for one value. */
export const numberToken = fc.oneof(
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-1e309',
    '"NaN"',
    '"Infinity"',
    '"1e309"',
    '"230.1"',
    '"1"',
    '1e308',
    '-1e308',
    '5e-324',
    '1e-400',
    '-0',
    '0',
    '9007199254740993',
    '18446744073709551616',
    '0x10',
    '01',
    '.5',
    '1.',
    '+1',
    '1e21',
    '1.7976931348623157e308',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.integer().map(String),
);

export const valueToken: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: numberToken, weight: 4 },
  { arbitrary: hostileString.map((s) => JSON.stringify(s)), weight: 2 },
  { arbitrary: invalidUtf8String, weight: 1 },
  { arbitrary: fc.constantFrom('null', 'true', 'false', '[]', '{}', '""', '[1,2]', '{"x":1}'), weight: 1 },
  { arbitrary: fc.constantFrom(...DEEP), weight: 1 },
  { arbitrary: fc.integer({ min: 300, max: 70_000 }).map((n) => JSON.stringify('x'.repeat(n))), weight: 1 },
);

/** A JSON object's entries as already-rendered value text. */
export type Entries = ReadonlyArray<readonly [string, string]>;

export function renderObject(entries: Entries): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

/**
 * Mutations of a valid object: one value swapped for a hostile token, a key dropped,
 * a hostile key added, or a key repeated with another value (last wins in JSON.parse).
 */
export function mutateEntries(entries: Entries): fc.Arbitrary<Entries> {
  const index = fc.nat({ max: Math.max(0, entries.length - 1) });
  return fc.oneof(
    fc
      .tuple(index, valueToken)
      .map(([i, token]) => entries.map(([key, value], j) => [key, j === i ? token : value] as const)),
    index.map((i) => entries.filter((_, j) => j !== i)),
    fc.tuple(hostileString, valueToken).map(([key, token]) => [...entries, [key, token] as const]),
    fc.tuple(index, valueToken).map(([i, token]) => [...entries, [entries[i]?.[0] ?? 'ts', token] as const]),
  );
}

/** Bytes that are not meant to be JSON at all. */
export const randomBytes = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));

/** Text with raw invalid UTF-8 spliced in somewhere, structure and all. */
export function spliceInvalidUtf8(text: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat({ max: text.length }), fc.constantFrom(...INVALID_UTF8.map(([marker]) => marker)))
    .map(([at, marker]) => text.slice(0, at) + marker + text.slice(at));
}
