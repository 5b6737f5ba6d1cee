import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxWriteError } from './point-writer.js';
import { V2PointWriter } from './v2-writer.js';

/**
 * The request the v2 path sends and how it reads answers, checked against a plain
 * HTTP server on loopback (no InfluxDB 1.8/2.x/3.x is installed here).
 */
interface Seen {
  url: string;
  authorization: string | undefined;
  body: string;
}

const seen: Seen[] = [];
const answers: Array<[number, string]> = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization, body });
      const [status, text] = answers.shift() ?? [204, ''];
      response.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('V2PointWriter', () => {
  it('posts line protocol to /api/v2/write with org, bucket, ms precision and the token', async () => {
    const writer = new V2PointWriter({
      url,
      token: 'u:p',
      org: '-',
      bucket: 'village/autogen',
      timeoutMs: 2000,
    });
    await writer.write([Buffer.from('m,a=b f=1 1\nm,a=c f=2 2')]);
    const request = seen.at(-1) as Seen;
    const target = new URL(request.url, url);
    expect(target.pathname).toBe('/api/v2/write');
    expect(Object.fromEntries(target.searchParams)).toEqual({
      org: '-',
      bucket: 'village/autogen',
      precision: 'ms',
    });
    expect(request.authorization).toBe('Token u:p');
    expect(request.body).toBe('m,a=b f=1 1\nm,a=c f=2 2');
  });

  it('classifies refusals: 400 is bad data with the server message, 503 is retryable', async () => {
    const writer = new V2PointWriter({ url, token: 't', org: 'o', bucket: 'b', timeoutMs: 2000 });
    answers.push([400, JSON.stringify({ code: 'invalid', message: 'partial write: field type conflict' })]);
    const bad = await writer.write([Buffer.from('m f=1 1')]).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(InfluxWriteError);
    expect(bad).toMatchObject({ kind: 'rejected', status: 400 });
    expect((bad as Error).message).toMatch(/field type conflict/);

    answers.push([503, '{"message":"unavailable"}']);
    expect(await writer.write([Buffer.from('m f=1 1')]).catch((error: unknown) => error)).toMatchObject({
      kind: 'retryable',
    });
  });
});
