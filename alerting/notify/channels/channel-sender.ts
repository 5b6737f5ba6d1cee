import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';

/** Sends one outbox entry; throws on any failure so the outbox retries. */
export interface ChannelSender<C> {
  send(channel: C, delivery: Delivery, message: RenderedMessage): Promise<void>;
  close?(): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** POSTs JSON and returns the parsed answer (or undefined for an empty one); non-2xx throws. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new DeliveryError(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The `errcode`/`code` robots answer with; anything but 0 is a failure. */
export function robotErrorCode(answer: unknown): number | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const record = answer as Record<string, unknown>;
  const code = record.errcode ?? record.code ?? record.StatusCode;
  return typeof code === 'number' ? code : undefined;
}

export function checkRobotAnswer(service: string, answer: unknown): void {
  const code = robotErrorCode(answer);
  if (code !== undefined && code !== 0) {
    const record = answer as Record<string, unknown>;
    throw new DeliveryError(`${service} answered code ${code}: ${String(record.errmsg ?? record.msg ?? '')}`);
  }
}
