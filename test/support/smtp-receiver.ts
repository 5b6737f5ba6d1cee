import { SMTPServer } from 'smtp-server';
import { freePort } from '../../runtime/index.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

/** A real SMTP server on loopback (no TLS, no auth) that keeps every message, decoded. */
export class SmtpReceiver {
  readonly messages: ReceivedMail[] = [];
  /** RCPT TO these addresses is refused with 550, as a relay does for an unknown mailbox. */
  readonly refusedRecipients = new Set<string>();
  /** While true every connection is refused at the greeting with 421, as a busy or restarting relay does. */
  busy = false;
  /** Connections refused while busy. */
  refusedConnections = 0;
  /** Connections that failed (a client killed mid-session resets its socket), as a relay logs them. */
  readonly connectionErrors: Error[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect: (_session, callback) => {
        if (!this.busy) return callback();
        this.refusedConnections++;
        callback(
          Object.assign(new Error('4.3.2 service not available, try again later'), { responseCode: 421 }),
        );
      },
      onRcptTo: (address, _session, callback) => {
        if (!this.refusedRecipients.has(address.address.toLowerCase())) return callback();
        const error = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            ...decodeMail(raw),
            raw,
          });
          callback();
        });
      },
    });
    // smtp-server re-emits a connection's socket error on the server: without a listener, a
    // client reset (alerting SIGKILLed while its pooled connection is open) would throw.
    this.server.on('error', (error) => this.connectionErrors.push(error));
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Just enough MIME for a single-part text message: RFC 2047 subject, base64 or quoted-printable body. */
function decodeMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const subject = header('Subject')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, encoding: string, text: string) =>
      encoding.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body.replace(/=\r\n/g, ''))
        : body;
  return { subject, text };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
