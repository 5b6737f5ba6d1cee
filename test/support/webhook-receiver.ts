import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignature,
} from '../../alerting/index.js';
import { freePort, waitFor } from '../../runtime/index.js';

/** The JSON alerting posts to a webhook contact (alerting/notify/channels/webhook-sender.ts). */
export interface AlertNotice {
  idempotency_key: string;
  reason: 'firing' | 'resolved' | 'reminder' | 'escalation' | 'acknowledged';
  language: string;
  title: string;
  text: string;
  alert: {
    id: string;
    ruleId: string;
    severity: string;
    state: string;
    zone: string;
    subject: string;
    device?: string;
    gateway?: string;
    occurrences: number;
    ack?: { by: string };
  };
}

export interface ReceivedNotice {
  receivedAt: number;
  headers: IncomingHttpHeaders;
  /** The X-Alert-Signature header matched the HMAC of "<timestamp>.<raw body>". */
  signatureValid: boolean;
  notice: AlertNotice;
}

/**
 * A real HTTP webhook endpoint on loopback: checks every request's HMAC signature,
 * keeps what arrived and lets a test or benchmark wait for a matching notification.
 */
export class WebhookReceiver {
  readonly received: ReceivedNotice[] = [];
  private server: Server | undefined;
  private port = 0;
  private listeners = new Set<(notice: ReceivedNotice) => void>();

  constructor(readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/alerts`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const entry: ReceivedNotice = {
          receivedAt: Date.now(),
          headers: request.headers,
          signatureValid: this.verify(request.headers, body),
          notice: JSON.parse(body) as AlertNotice,
        };
        this.received.push(entry);
        for (const listener of this.listeners) listener(entry);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Called for every notification from now on; returns the unsubscribe function. */
  onNotice(listener: (notice: ReceivedNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  matching(match: Partial<NoticeMatch>): ReceivedNotice[] {
    return this.received.filter((r) => matches(r.notice, match));
  }

  /** Waits for the first notification matching every given property. */
  async next(match: Partial<NoticeMatch>, timeoutMs = 30_000): Promise<ReceivedNotice> {
    return waitFor(
      `a ${match.reason ?? ''} notification of ${match.ruleId ?? 'any rule'} for ${match.device ?? match.subject ?? 'any subject'}`,
      () => this.matching(match)[0],
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Idempotency keys that arrived more than once (a real duplicate, not a retry under a new key). */
  repeatedKeys(): string[] {
    const counts = new Map<string, number>();
    for (const { headers } of this.received) {
      const key = String(headers[IDEMPOTENCY_HEADER]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].filter(([, n]) => n > 1).map(([key]) => key);
  }

  private verify(headers: IncomingHttpHeaders, body: string): boolean {
    const signature = headers[SIGNATURE_HEADER];
    const timestamp = headers[TIMESTAMP_HEADER];
    if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
    const expected = Buffer.from(webhookSignature(this.secret, timestamp, body));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

export interface NoticeMatch {
  reason: AlertNotice['reason'];
  ruleId: string;
  device: string;
  subject: string;
  zone: string;
}

function matches(notice: AlertNotice, match: Partial<NoticeMatch>): boolean {
  return (
    (match.reason === undefined || notice.reason === match.reason) &&
    (match.ruleId === undefined || notice.alert.ruleId === match.ruleId) &&
    (match.device === undefined || notice.alert.device === match.device) &&
    (match.subject === undefined || notice.alert.subject === match.subject) &&
    (match.zone === undefined || notice.alert.zone === match.zone)
  );
}
