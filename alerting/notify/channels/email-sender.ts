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
    await this.transporter.sendMail({
      from: this.smtp.from,
      to: channel.to,
      subject: message.title,
      text: message.text,
      messageId: `<${delivery.key.replace(/[^A-Za-z0-9.-]/g, '.')}@alerting.local>`,
      headers: { 'X-Alert-Idempotency-Key': delivery.key },
    });
  }

  async close(): Promise<void> {
    this.transporter?.close();
    this.transporter = undefined;
  }
}
