import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';

/** Sends one outbox entry; resolves only when the receiver confirmed it, throws on anything else so the outbox retries. */
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

/**
 * POSTs JSON and returns the parsed answer (the raw text when it is not JSON, undefined
 * when empty). Anything but a 2xx throws, redirects included: a receiver that moved must
 * be reconfigured, not followed with the alert (and its links) to wherever it points.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<unknown> {
  const { status, text } = await post(url, body, headers, timeoutMs);
  if (status >= 300 && status < 400)
    throw new DeliveryError(`HTTP ${status}: redirect refused (update the channel's URL)`);
  if (status < 200 || status >= 300) throw new DeliveryError(`HTTP ${status}: ${text.slice(0, 200)}`);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * One POST through node:http(s), which follows no redirect, and the whole answer as text.
 * Not fetch(): alerting spent ~0.8 ms of CPU on each notification in fetch (undici, its web
 * streams, an AbortSignal), most of it between the webhook's timestamp and the request
 * leaving, on the event loop every fire alarm waits for (bench alert-latency).
 */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send =
      target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
    if (!send) {
      reject(new DeliveryError(`unsupported URL scheme ${target.protocol}`));
      return;
    }
    const payload = Buffer.from(body, 'utf8');
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const request = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(payload.length),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', fail);
      },
    );
    // The whole exchange, the answer's body included, as fetch's AbortSignal.timeout bounded it.
    const timer = setTimeout(
      () => request.destroy(new DeliveryError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
    request.on('error', fail);
    request.end(payload);
  });
}

/** The fields a robot puts its result in: WeCom and DingTalk `errcode`, Feishu `code` (older bots `StatusCode`). */
export type RobotCodeField = 'errcode' | 'code' | 'StatusCode';

/**
 * A robot's answer confirms delivery only when it is a JSON object whose result code is
 * 0: robots answer HTTP 200 for refused messages too (a wrong key, a bad signature, the
 * 20-per-minute limit), and an answer without the code is not a robot's answer at all.
 */
export function checkRobotAnswer(service: string, answer: unknown, fields: readonly RobotCodeField[]): void {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer))
    throw new DeliveryError(`${service} gave no JSON answer: ${String(answer).slice(0, 200)}`);
  const record = answer as Record<string, unknown>;
  const field = fields.find((f) => record[f] !== undefined);
  const code = field === undefined ? undefined : record[field];
  if (typeof code !== 'number')
    throw new DeliveryError(
      `${service} answered without ${fields.join('/')}: ${JSON.stringify(answer).slice(0, 200)}`,
    );
  if (code !== 0) {
    const reason = record.errmsg ?? record.msg ?? record.StatusMessage ?? '';
    throw new DeliveryError(`${service} answered ${field} ${code}: ${String(reason).slice(0, 200)}`);
  }
}
