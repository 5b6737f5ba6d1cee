import nodemailer, { type Transporter } from 'nodemailer';
import type { z } from 'zod';
import type { emailChannelSchema, SmtpConfig } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { DeliveryError, type ChannelSender } from './channel-sender.js';

type EmailChannel = z.infer<typeof emailChannelSchema>;

/** E-mail over SMTP with nodemailer; the Message-ID carries the idempotency key so duplicates can be spotted. */
export class EmailSender implements ChannelSender<EmailChannel> {
  private transporter: Transporter | undefined;

  constructor(
    private readonly smtp: SmtpConfig | undefined,
    private readonly timeoutMs: number,
  ) {}

  async send(channel: EmailChannel, delivery: Delivery, message: RenderedMessage): Promise<void> {
    if (!this.smtp) throw new DeliveryError('no SMTP server configured');
    this.transporter ??= nodemailer.createTransport({
      host: this.smtp.host,
      port: this.smtp.port,
      secure: this.smtp.secure,
      ignoreTLS: this.smtp.ignoreTLS,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      ...(this.smtp.username ? { auth: { user: this.smtp.username, pass: this.smtp.password ?? '' } } : {}),
    });
    const info = await this.transporter.sendMail({
      from: this.smtp.from,
      to: channel.to,
      subject: message.title,
      text: message.text,
      messageId: `<${delivery.key.replace(/[^A-Za-z0-9.-]/g, '.')}@alerting.local>`,
      headers: { 'X-Alert-Idempotency-Key': delivery.key },
    });
    checkSmtpAnswer(info, channel.to);
  }

  async close(): Promise<void> {
    this.transporter?.close();
    this.transporter = undefined;
  }
}

interface SmtpAnswer {
  accepted?: Array<string | { address: string }>;
  rejected?: Array<string | { address: string }>;
  response?: string;
}

/**
 * The relay took the message for every recipient: a 2xx final answer to DATA and no
 * refused recipient (nodemailer resolves when only some RCPT TO were refused).
 */
export function checkSmtpAnswer(info: SmtpAnswer, to: readonly string[]): void {
  const address = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address).toLowerCase();
  const rejected = (info.rejected ?? []).map(address);
  if (rejected.length > 0) throw new DeliveryError(`SMTP refused ${rejected.join(', ')}: ${info.response}`);
  const accepted = new Set((info.accepted ?? []).map(address));
  const missing = to.filter((address) => !accepted.has(address.toLowerCase()));
  if (missing.length > 0)
    throw new DeliveryError(`SMTP did not accept ${missing.join(', ')}: ${info.response}`);
  if (!/^2\d\d/.test(info.response ?? '')) throw new DeliveryError(`SMTP answered ${String(info.response)}`);
}
