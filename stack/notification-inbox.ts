import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../alerting/index.js';
import { printableText } from '../runtime/index.js';

/** What the inbox keeps of a notification alerting posted to it. */
export interface InboxEntry {
  at: number;
  title: string;
  text: string;
}

const MAX_BODY_BYTES = 256 * 1024;

/**
 * Where `npm start` sends alerting's notifications when no real channel is configured:
 * a signed webhook receiver on loopback that prints each message (Chinese first, as an
 * operator would read it on a phone) and appends it to a file, so a newcomer sees an
 * alert delivered the moment a simulator fault raises one. Unsigned or forged requests
 * are refused.
 */
export class NotificationInbox {
  readonly secret = randomBytes(24).toString('base64url');
  private server: Server | undefined;
  private boundPort = 0;

  constructor(private readonly options: { port: number; file: string; print: (entry: InboxEntry) => void }) {}

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}/notifications`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const entry = size <= MAX_BODY_BYTES && this.signed(request.headers, body) ? parse(body) : undefined;
        if (!entry) {
          response.writeHead(401).end();
          return;
        }
        appendFileSync(this.options.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
        this.options.print(entry);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private signed(headers: Record<string, string | string[] | undefined>, body: string): boolean {
    const signature = headers[SIGNATURE_HEADER];
    const timestamp = headers[TIMESTAMP_HEADER];
    if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
    const expected = Buffer.from(webhookSignature(this.secret, timestamp, body));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

function parse(body: string): InboxEntry | undefined {
  try {
    const notice = JSON.parse(body) as { title?: unknown; text?: unknown };
    if (typeof notice.title !== 'string' || typeof notice.text !== 'string') return undefined;
    return { at: Date.now(), title: notice.title, text: notice.text };
  } catch {
    return undefined;
  }
}

/** How the inbox prints a notification on the console: its title, then its lines indented. */
export function formatInboxEntry(entry: InboxEntry): string {
  // Whatever alerting was handed (a device's text, an operator's comment) cannot drive the terminal.
  const title = printableText(entry.title);
  const lines = entry.text
    .split('\n')
    .map(printableText)
    .filter((line) => line.trim() !== '' && line.trim() !== title.trim())
    .map((line) => `      ${line}`);
  return `🔔 [${new Date(entry.at).toISOString()}] ${title}\n${lines.join('\n')}`;
}
