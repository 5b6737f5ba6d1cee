/**
 * A small InfluxDB line-protocol reader, independent of ingest's writer, following the
 * grammar of the InfluxDB docs: measurement escapes `,` and space; tag keys, tag values
 * and field keys escape `,`, `=` and space; string fields are double-quoted with `\"`
 * and `\\`. A backslash before anything else in a name is refused, because InfluxDB
 * 1.x would keep it literally and the writer promises never to emit one.
 */
export type ReadFieldValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean };

export interface ReadPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, ReadFieldValue>;
  timestamp: number;
}

export class LineProtocolSyntaxError extends Error {}

export function readLine(line: string): ReadPoint {
  let at = 0;
  const fail = (what: string): never => {
    throw new LineProtocolSyntaxError(`${what} at ${at} in ${JSON.stringify(line.slice(0, 200))}`);
  };

  const readName = (stops: string, escapable: string): string => {
    let name = '';
    while (at < line.length && !stops.includes(line[at] as string)) {
      const c = line[at] as string;
      if (c === '\n') fail('raw line break in a name');
      if (c === '\\') {
        const next = line[at + 1];
        if (next === undefined || !escapable.includes(next)) fail('backslash that escapes nothing');
        name += next;
        at += 2;
        continue;
      }
      name += c;
      at += 1;
    }
    if (name.length === 0) fail('empty name');
    return name;
  };

  const readFieldValue = (): ReadFieldValue => {
    if (line[at] === '"') {
      at += 1;
      let value = '';
      for (;;) {
        const c = line[at];
        if (c === undefined) return fail('unterminated string');
        if (c === '"') break;
        if (c === '\\' && (line[at + 1] === '"' || line[at + 1] === '\\')) {
          value += line[at + 1];
          at += 2;
          continue;
        }
        value += c;
        at += 1;
      }
      at += 1;
      return { type: 'string', value };
    }
    const start = at;
    while (at < line.length && line[at] !== ',' && line[at] !== ' ') at += 1;
    const token = line.slice(start, at);
    if (token === 'true' || token === 'false') return { type: 'bool', value: token === 'true' };
    if (/^-?\d+i$/.test(token)) return { type: 'int', value: Number(token.slice(0, -1)) };
    if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(token)) return { type: 'float', value: Number(token) };
    return fail(`unreadable field value ${JSON.stringify(token)}`);
  };

  if (line.startsWith('#')) fail('comment line');
  const measurement = readName(', ', ', ');
  const tags: Record<string, string> = {};
  while (line[at] === ',') {
    at += 1;
    const key = readName(',= ', ',= ');
    if (line[at] !== '=') fail('tag without value');
    at += 1;
    tags[key] = readName(',= ', ',= ');
  }
  if (line[at] !== ' ') fail('no fields');
  at += 1;
  const fields: Record<string, ReadFieldValue> = {};
  for (;;) {
    const key = readName(',= ', ',= ');
    if (line[at] !== '=') fail('field without value');
    at += 1;
    fields[key] = readFieldValue();
    if (line[at] !== ',') break;
    at += 1;
  }
  if (line[at] !== ' ') fail('no timestamp');
  const stamp = line.slice(at + 1);
  if (!/^-?\d+$/.test(stamp)) fail(`bad timestamp ${JSON.stringify(stamp)}`);
  return { measurement, tags, fields, timestamp: Number(stamp) };
}
