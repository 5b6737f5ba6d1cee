import type { Logger } from '../../runtime/index.js';
import type { BufferConfig } from '../config/edge-config-schema.js';
import type { EdgeMetrics } from '../metrics.js';
import type { DurableQueue, QueueEntry } from './durable-queue.js';

/** The part of the upstream client the forwarder needs. */
export interface ForwardLink {
  readonly connected: boolean;
  /** QoS 1; `done` runs on PUBACK (no error) or when the message is given up. */
  publishRaw(topic: string, body: string, done: (error?: Error) => void): void;
  /** `listener(true)` once a session is ready for new messages, `listener(false)` when it ends. */
  onSession(listener: (ready: boolean) => void): () => void;
}

export interface ForwarderOptions {
  queue: DurableQueue;
  link: ForwardLink;
  config: BufferConfig;
  metrics: EdgeMetrics;
  logger: Logger;
}

type Path = 'live' | 'replay';

/**
 * Publishes buffered messages upstream and deletes each only after its PUBACK, with
 * at most `inflightWindow` unacknowledged at once. When a session starts, everything
 * already buffered is backlog; what is appended from then on is live. Turns alternate:
 * live messages first, then at most `replayChunk` of backlog, so dashboards show the
 * present at once while the outage is filled in behind it, each path in order.
 *
 * When the live path has sent everything before the entries a flush takes, they are sent
 * at once (`onFlush`), not after their fsync and a read back: a fire alarm leaves at once.
 * Its PUBACK deletes it once written (DurableQueue says why that loses nothing in a
 * crash); a failed publish is sent again once it is on disk.
 */
export class Forwarder {
  private ready = false;
  private inflight = 0;
  private liveFrom = 0n;
  private liveCursor = 0n;
  private backlogCursor = 0n;
  private pumping = false;
  private again = false;
  private replayStartedAt = 0;
  private replayed = 0;
  private unsubscribers: Array<() => void> = [];
  /** Bumped when a session ends: PUBACK callbacks from an older session are ignored. */
  private session = 0;
  /** Entries published in the current session and not yet acknowledged. */
  private readonly unacked = new Map<bigint, QueueEntry>();

  constructor(private readonly options: ForwarderOptions) {}

  /** Whether backlog from before the current session is still being sent. */
  get replaying(): boolean {
    return this.ready && this.backlogCursor < this.liveFrom;
  }

  async start(): Promise<void> {
    const { queue, link } = this.options;
    this.unsubscribers = [
      queue.onDurable(() => void this.pump()),
      queue.onFlush((entries) => this.sendAhead(entries)),
      link.onSession((ready) => (ready ? this.beginSession() : this.endSession())),
    ];
    if (link.connected) this.beginSession();
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.ready = false;
  }

  private beginSession(): void {
    this.abandonInflight();
    // Messages still on their way to the disk become durable after this
    // and must be read as live, or a replay that ended before them would pass them by.
    this.liveFrom = this.options.queue.durableEnd;
    this.liveCursor = this.liveFrom;
    this.backlogCursor = 0n;
    this.replayStartedAt = Date.now();
    this.replayed = 0;
    this.ready = true;
    void this.pump();
  }

  private endSession(): void {
    this.ready = false;
    this.abandonInflight();
  }

  /**
   * A session ended with messages unacknowledged: whether the MQTT client will resend
   * them is its business, not the buffer's. They are released so the next session
   * replays them (keys below its live start are backlog); a late PUBACK from the old
   * session is ignored, and a duplicate delivery carries the same seq and timestamp,
   * so InfluxDB stores it once.
   */
  private abandonInflight(): void {
    this.session++;
    for (const entry of this.unacked.values()) this.options.queue.release(entry);
    this.unacked.clear();
    this.inflight = 0;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        await this.fill();
      } while (this.again && this.ready);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot read the buffer');
    } finally {
      this.pumping = false;
    }
  }

  private async fill(): Promise<void> {
    const { queue, config } = this.options;
    let turn: Path = 'live';
    let idleTurns = 0;
    while (this.ready && this.options.link.connected && idleTurns < 2) {
      const room = config.inflightWindow - this.inflight;
      if (room <= 0) return;
      const limit = Math.min(room, config.replayChunk);
      const session = this.session;
      const entries =
        turn === 'live'
          ? await queue.read(this.liveCursor, undefined, limit)
          : this.backlogCursor < this.liveFrom
            ? await queue.read(this.backlogCursor, this.liveFrom, limit)
            : [];
      if (session !== this.session) {
        // The session changed during the read: these belong to the new session's cursors.
        for (const entry of entries) queue.release(entry);
        return;
      }
      idleTurns = entries.length === 0 ? idleTurns + 1 : 0;
      for (const entry of entries) this.send(entry, turn);
      if (turn === 'replay' && entries.length === 0 && this.backlogCursor < this.liveFrom) {
        this.backlogCursor = this.liveFrom;
        this.logReplayDone();
      }
      turn = turn === 'live' ? 'replay' : 'live';
    }
  }

  /** Sends entries on their way to the disk if the live path is at the first: in order, as the window allows. */
  private sendAhead(entries: readonly QueueEntry[]): void {
    if (!this.ready || !this.options.link.connected || entries[0]?.key !== this.liveCursor) return;
    const room = this.options.config.inflightWindow - this.inflight;
    for (const entry of entries.slice(0, Math.max(0, room))) {
      this.options.queue.claimAhead(entry);
      this.send(entry, 'live');
    }
  }

  private send(entry: QueueEntry, path: Path): void {
    const { queue, link, metrics } = this.options;
    if (path === 'live') this.liveCursor = entry.key + 1n;
    else this.backlogCursor = entry.key + 1n;
    this.inflight++;
    this.unacked.set(entry.key, entry);
    const session = this.session;
    link.publishRaw(entry.topic, entry.body, (error) => {
      if (session !== this.session) return;
      this.unacked.delete(entry.key);
      this.inflight--;
      if (error) {
        queue.release(entry);
        // Sent again in order: from this key on, in whichever path it belongs to.
        if (entry.key < this.liveFrom) {
          if (entry.key < this.backlogCursor) this.backlogCursor = entry.key;
        } else if (entry.key < this.liveCursor) this.liveCursor = entry.key;
        return;
      }
      queue.ack(entry);
      metrics.bufferForwardedTotal.inc({ path });
      if (path === 'replay') this.replayed++;
      void this.pump();
    });
  }

  private logReplayDone(): void {
    if (this.replayed === 0) return;
    const seconds = Math.max(0.001, (Date.now() - this.replayStartedAt) / 1000);
    this.options.logger.info(
      { replayed: this.replayed, seconds, perSecond: Math.round(this.replayed / seconds) },
      'backlog replayed',
    );
    this.replayed = 0;
  }
}
