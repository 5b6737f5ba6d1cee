import { parseTopic } from '../../contracts/index.js';
import type { Rejection } from '../validation/rejection.js';

/** What the platform refused of one gateway's messages, by code and device. */
export interface GatewayRejection {
  code: string;
  /** The device the refused message was about, when the topic or the batch item says. */
  device?: string;
  count: number;
  lastTs: number;
  reason: string;
}

const MAX_ENTRIES_PER_GATEWAY = 200;

/**
 * Remembers, per gateway, which of its messages ingest dead-lettered and why, so the
 * gateway's status page can show the technician what the platform refused (a meter
 * green at 100 % while every reading is DEVICE_UNKNOWN is the case this exists for).
 * In memory: a restart of ingest forgets, the dead-letter file keeps everything.
 */
export class RejectionBoard {
  private readonly byGateway = new Map<string, Map<string, GatewayRejection>>();

  note(topic: string, rejection: Rejection, now = Date.now()): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.kind === 'alert') return;
    const device = 'device' in parsed ? parsed.device : deviceOfItem(rejection.payload);
    const key = `${parsed.site}/${parsed.gateway}`;
    let entries = this.byGateway.get(key);
    if (!entries) this.byGateway.set(key, (entries = new Map()));
    const id = `${rejection.code}/${device ?? ''}`;
    const entry = entries.get(id);
    if (entry) {
      entry.count++;
      entry.lastTs = now;
      entry.reason = rejection.reason;
      return;
    }
    if (entries.size >= MAX_ENTRIES_PER_GATEWAY) return;
    entries.set(id, {
      code: rejection.code,
      ...(device ? { device } : {}),
      count: 1,
      lastTs: now,
      reason: rejection.reason,
    });
  }

  of(site: string, gateway: string): GatewayRejection[] {
    return [...(this.byGateway.get(`${site}/${gateway}`)?.values() ?? [])].sort(
      (a, b) => b.lastTs - a.lastTs,
    );
  }
}

/** A refused batch item is re-serialised on its own: its `device` names it. */
function deviceOfItem(payload: Buffer): string | undefined {
  try {
    const item = JSON.parse(payload.toString('utf8')) as { device?: unknown };
    return typeof item.device === 'string' && /^[a-z0-9-]{1,63}$/.test(item.device) ? item.device : undefined;
  } catch {
    return undefined;
  }
}
