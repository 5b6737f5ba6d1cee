import { request } from 'node:https';

export interface HttpsAnswer {
  status: number;
  body: string;
}

/** One HTTPS request that trusts only `ca` (fetch cannot be given a CA without an extra agent). */
export function httpsRequest(
  url: string,
  ca: Buffer,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
