import {
  batchEventItemSchema,
  batchTelemetryItemSchema,
  EVENT_SEVERITY,
  eventMessageSchema,
  MESSAGE_LIMITS,
  telemetryMessageSchema,
  topics,
  type BatchMessage,
  type EventType,
} from '../../contracts/index.js';
import type { Logger } from '../../runtime/index.js';
import type { EdgeConfig } from '../config/edge-config-schema.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { SeqStore } from '../seq-store.js';
import { OpenStates } from './open-states.js';
import { isContractTelemetry } from './telemetry-check.js';

export type EventData = Record<string, string | number | boolean>;

/** Where pollers and the vendor bridge hand canonical readings and events. */
export interface CanonicalSink {
  telemetry(device: string, values: Record<string, number>, ts?: number): void;
  event(device: string, type: EventType, data?: EventData, ts?: number): void;
}

/** The part of the upstream client the publisher needs (a durable queue can stand in later). */
export interface UpstreamPublish {
  publish(topic: string, payload: unknown, retain?: boolean): void;
}

export type GatheredKind = 'telemetry' | 'event';

/** Items gathered for a batch and left by a crash, as they were gathered (JSON-parsed, not yet checked). */
export interface GatheredItems {
  telemetry: unknown[];
  events: unknown[];
}

/**
 * Where batch mode keeps what it gathers until the batch is formed, so that a crash loses
 * no more of it than of anything else (buffer/gather-journal.ts: durable with the
 * buffer's group commits).
 */
export interface GatherLog {
  add(kind: GatheredKind, json: string): void;
  /** The batch holding everything added so far was handed to `upstream`. */
  clear(): void;
  /** What a crash or a failed write left gathered and in no batch; handed over once. */
  takeRecovered(): GatheredItems;
}

export interface CanonicalPublisherOptions {
  config: EdgeConfig;
  upstream: UpstreamPublish;
  /** Batch mode journals gathered items here; without it they live in memory only. */
  gathered?: GatherLog;
  seq: SeqStore;
  metrics: EdgeMetrics;
  logger: Logger;
  warnings: RateLimitedLog;
}

/**
 * A batch goes out before it passes this many bytes of JSON: well under ingest's and the
 * broker's default payload limits (256 KiB, 1 MiB), which a thousand wide meters would pass.
 */
export const MAX_BATCH_BYTES = 64 * 1024;
/** How soon gathered items leave while an event that went at once is recent. */
export const PROMPT_FLUSH_MS = 1_000;
/** `{"ts":…,"telemetry":[…],"events":[]}` around the items. */
const BATCH_ENVELOPE_BYTES = 64;

/**
 * Validates every canonical message against the contracts before it leaves, then
 * stamps the device's next seq (only valid messages consume a seq, so ingest's gap
 * count means loss). In `batch` mode telemetry and events of severity `info` (a door
 * opened, a person seen, a fault cleared) are gathered for `batchIntervalMs`: alone, each
 * would cost a message on the uplink several times its size. A warning or critical event
 * goes out at once (a fire alarm must not wait for a batch), after the batch gathered so
 * far, so that nothing it follows reaches the platform after it; so does an info event
 * that ends such a state of its device (mains restored after mains lost: EVENT_ENDS).
 * For one batch interval after such an event, what is gathered leaves within
 * {@link PROMPT_FLUSH_MS}: an incident is built from the readings polled around its
 * events (meters reading 0 V as the emergency lights report mains lost), and those must
 * not wait a minute behind them.
 *
 * Gathered items are journaled (`gathered`) as they are gathered; at start the items a
 * crash left there become the first batch, with the seqs they had. Those of a batch the
 * buffer failed to write are handed back the same way and join the next batch.
 */
export class CanonicalPublisher implements CanonicalSink {
  private batch: BatchMessage['telemetry'] = [];
  private batchEvents: BatchMessage['events'] = [];
  private batchBytes = BATCH_ENVELOPE_BYTES;
  private timer: NodeJS.Timeout | undefined;
  private readonly openStates = new OpenStates();
  /** Until when items leave within PROMPT_FLUSH_MS (an event went at once), ms. */
  private promptUntil = 0;
  private promptTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CanonicalPublisherOptions) {}

  private get batching(): boolean {
    return this.options.config.publish.mode === 'batch';
  }

  async start(): Promise<void> {
    this.recover();
    if (!this.batching) return;
    this.timer = setInterval(() => this.flush(), this.options.config.publish.batchIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.promptTimer);
    this.timer = undefined;
    this.promptTimer = undefined;
    this.flush();
  }

  telemetry(device: string, values: Record<string, number>, ts = Date.now()): void {
    if (!isContractTelemetry(ts, values)) {
      const checked = telemetryMessageSchema.safeParse({ ts, seq: 0, values });
      if (!checked.success) return this.reject(device, 'telemetry', checked.error.message);
      ({ ts, values } = checked.data);
    }
    // The reading is the caller's, handed over: no one changes it once it is published.
    const message = { ts, seq: this.options.seq.next(device), values };
    if (this.batching) return this.gather('telemetry', () => this.batch, { device, ...message });
    const { site, gateway } = this.options.config;
    this.options.upstream.publish(topics.telemetry(site, gateway, device), message);
    this.options.metrics.publishedTotal.inc({ kind: 'telemetry' });
  }

  event(device: string, type: EventType, data: EventData = {}, ts = Date.now()): void {
    const checked = eventMessageSchema.safeParse({ ts, seq: 0, type, data });
    if (!checked.success) return this.reject(device, 'event', checked.error.message);
    const message = { ...checked.data, seq: this.options.seq.next(device) };
    const endsState = this.openStates.ends(device, type);
    if (this.batching && EVENT_SEVERITY[type] === 'info' && !endsState)
      return this.gather('event', () => this.batchEvents, { device, ...message });
    this.flush();
    const { site, gateway } = this.options.config;
    this.options.upstream.publish(topics.event(site, gateway, device), message);
    this.options.metrics.publishedTotal.inc({ kind: 'event' });
    if (this.batching) this.promptUntil = Date.now() + this.options.config.publish.batchIntervalMs;
  }

  /** Adds an item to the batch (`list` picks its list, which a flush replaces), flushing around it as limits say. */
  private gather<T>(kind: GatheredKind, list: () => T[], item: T): void {
    const json = JSON.stringify(item);
    const itemBytes = Buffer.byteLength(json) + 1;
    if (this.batchBytes + itemBytes > MAX_BATCH_BYTES) this.flush();
    list().push(item);
    this.options.gathered?.add(kind, json);
    this.batchBytes += itemBytes;
    if (list().length >= MESSAGE_LIMITS.batchItems) this.flush();
    else if (this.promptTimer === undefined && Date.now() < this.promptUntil) {
      this.promptTimer = setTimeout(() => {
        this.promptTimer = undefined;
        this.flush();
      }, PROMPT_FLUSH_MS);
    }
  }

  private flush(): void {
    this.gatherRecovered();
    if (this.batch.length === 0 && this.batchEvents.length === 0) return;
    // Each item was checked against the contracts as it was gathered, and `gather` keeps the
    // batch within its limits: parsing the whole batch again cost as much as gathering it.
    const message: BatchMessage = { ts: Date.now(), telemetry: this.batch, events: this.batchEvents };
    this.batch = [];
    this.batchEvents = [];
    this.batchBytes = BATCH_ENVELOPE_BYTES;
    const { site, gateway } = this.options.config;
    this.options.upstream.publish(topics.batch(site, gateway), message);
    this.options.gathered?.clear();
    this.options.metrics.publishedTotal.inc({ kind: 'batch' });
  }

  /**
   * Items a crash left in the journal leave first, as one batch (in any mode: the
   * mode may have changed meanwhile), with their seqs.
   */
  private recover(): void {
    const gathered = this.options.gathered;
    if (!gathered) return;
    const { telemetry, events } = this.gatherRecovered();
    this.flush();
    // What was found on disk goes with this batch, or for good if none of it could be read.
    gathered.clear();
    if (telemetry + events > 0) {
      this.options.logger.info(
        { telemetry, events },
        'items gathered before a crash sent as the first batch',
      );
    }
  }

  /**
   * Items the journal hands back (a crash, or a write of their batch that failed) are
   * gathered again, with their seqs. Each is checked again: one that fails is counted
   * and dropped, never sent.
   */
  private gatherRecovered(): { telemetry: number; events: number } {
    const { telemetry, events } = this.options.gathered?.takeRecovered() ?? { telemetry: [], events: [] };
    for (const raw of telemetry) {
      const item = batchTelemetryItemSchema.safeParse(raw);
      if (item.success) this.gather('telemetry', () => this.batch, item.data);
      else this.reject('journal', 'telemetry', item.error.message);
    }
    for (const raw of events) {
      const item = batchEventItemSchema.safeParse(raw);
      if (item.success) this.gather('event', () => this.batchEvents, item.data);
      else this.reject('journal', 'event', item.error.message);
    }
    return { telemetry: telemetry.length, events: events.length };
  }

  private reject(device: string, kind: string, reason: string): void {
    this.options.metrics.vendorRejectedTotal.inc({ reason: `canonical_${kind}_invalid` });
    this.options.warnings.warn(
      `canonical:${device}:${kind}`,
      { device, reason },
      'canonical message invalid; not sent',
    );
  }
}
