import {
  closeSync,
  existsSync,
  fdatasync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Alert, Silence } from '../engine/alert-schema.js';
import type { Delivery } from '../notify/delivery-schema.js';
import { journalRecordSchema, type JournalRecord } from './journal-records.js';

export interface JournalState {
  alerts: Map<string, Alert>;
  silences: Map<string, Silence>;
  deliveries: Map<string, Delivery>;
  /** Keys of the deliveries still to go out (pending or sending): what the outbox looks at on each wake. */
  unsent: Set<string>;
  /** Nonces of used one-tap links → when each expires and when it was used. */
  usedLinks: Map<string, { expiresAt: number; at: number }>;
  evidence: Map<string, number>;
}

export interface JournalOptions {
  dir: string;
  /** Rewrite the file from the current state once it holds this many lines. */
  compactAfterLines?: number;
  /** Delivered outbox entries kept through a compaction (for the API); older ones are dropped. */
  keepDelivered?: number;
  /** Resolved alerts kept through a compaction. */
  keepResolved?: number;
  /** Told when a write fails (a full or failing disk): what was appended is kept and written later. */
  onWriteFailed?: (error: Error) => void;
  /** Told when everything kept after a failed write is in the file again. */
  onWriteRecovered?: () => void;
  /** How often writing what is kept is tried again; 1 s by default. */
  retryMs?: number;
}

export const JOURNAL_FILE = 'alerting-journal.jsonl';

/**
 * The first line of every journal this release writes. A journal without it was written
 * before the line existed, in the same format 1, and gets it at the compaction on open.
 */
export const JOURNAL_FORMAT = { t: 'format', store: 'alerting-journal', version: 1 } as const;

/**
 * When appended records reach the disk: `now` fsyncs before `append` returns (what an
 * acknowledged MQTT message or an API answer relies on); `soon` writes at once and
 * fsyncs on libuv's pool, grouped, without holding up the event loop. Written records
 * survive a crashed process either way (they are in the page cache); only a power cut
 * can lose what was not yet synced.
 */
export type JournalSync = 'now' | 'soon';

/**
 * Alert state, silences and the notification outbox as an append-only JSON-lines
 * file: replayed at start, appended (and fsynced for state changes) as things happen,
 * compacted by rewriting the live state to a temp file and renaming it over.
 */
export class Journal {
  readonly state: JournalState = {
    alerts: new Map(),
    silences: new Map(),
    deliveries: new Map(),
    unsent: new Set(),
    usedLinks: new Map(),
    evidence: new Map(),
  };
  private fd: number | undefined;
  /** An fdatasync of `fd` runs on libuv's pool; `syncAgain`: more was written meanwhile. */
  private syncing = false;
  private syncAgain = false;
  /** Appends so far. */
  private written = 0;
  /** Appends whose bytes are all in the file; a sync covers those in it when it started. */
  private inFile = 0;
  /**
   * Bytes appended but not in the file yet: a write failed (disk full, I/O error). They are
   * already applied to `state`, go to the file first at the next append or retry, or are
   * made redundant by a compaction; their `synced()` callers wait for that.
   */
  private unwritten = Buffer.alloc(0);
  private writeFailure: Error | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Callers of `synced()`, each waiting for a sync that covers `upTo` appends. */
  private syncWaiters: Array<{ upTo: number; resolve: () => void }> = [];
  private lines = 0;
  private skippedLines = 0;

  constructor(private readonly options: JournalOptions) {}

  get file(): string {
    return join(this.options.dir, JOURNAL_FILE);
  }

  /** False while appended records wait in memory for the disk (it was full or failed). */
  get writable(): boolean {
    return this.writeFailure === undefined;
  }

  /** Lines that could not be read at replay (a torn last write after a crash). */
  get skipped(): number {
    return this.skippedLines;
  }

  open(): JournalState {
    mkdirSync(this.options.dir, { recursive: true });
    if (existsSync(this.file)) {
      const lines = readFileSync(this.file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '');
      if (lines.length > 0 && isFormatLine(lines[0] as string, this.file)) lines.shift();
      for (const line of lines) {
        const record = parseLine(line);
        if (record) this.apply(record);
        else this.skippedLines += 1;
      }
    }
    this.compact();
    return this.state;
  }

  append(records: readonly JournalRecord[], { sync = 'now' }: { sync?: JournalSync } = {}): void {
    if (records.length === 0) return;
    const fd = this.requireOpen();
    for (const record of records) this.apply(record);
    const text = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    this.unwritten = this.unwritten.length === 0 ? text : Buffer.concat([this.unwritten, text]);
    this.written += 1;
    this.lines += records.length;
    if (!this.writeOut(fd)) return;
    if (sync === 'now') this.syncNow(fd);
    else if (sync === 'soon') this.syncSoon();
    if (this.lines >= (this.options.compactAfterLines ?? 20_000)) this.compact();
  }

  /**
   * Writes what waits for the file, all of it or up to a failure: a write the disk takes
   * only part of leaves the rest of its line to go next, so no line is torn in the middle.
   * False, and a retry scheduled, when something is left.
   */
  private writeOut(fd: number): boolean {
    try {
      while (this.unwritten.length > 0)
        this.unwritten = this.unwritten.subarray(writeSync(fd, this.unwritten));
    } catch (error) {
      this.failed(error as Error);
      return false;
    }
    this.inFile = this.written;
    this.recovered();
    return true;
  }

  private syncNow(fd: number): void {
    try {
      fsyncSync(fd);
    } catch (error) {
      this.failed(error as Error);
    }
  }

  private failed(error: Error): void {
    if (this.writeFailure === undefined) this.options.onWriteFailed?.(error);
    this.writeFailure = error;
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      if (this.fd === undefined) return;
      if (this.writeOut(this.fd)) this.syncSoon();
    }, this.options.retryMs ?? 1_000);
    this.retryTimer.unref();
  }

  private recovered(): void {
    if (this.writeFailure === undefined) return;
    this.writeFailure = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.options.onWriteRecovered?.();
  }

  /**
   * Resolves once everything appended so far is on disk: for a `soon` append whose
   * acknowledgement (an MQTT PUBACK) must wait for the disk while the event loop goes on.
   */
  synced(): Promise<void> {
    if (this.fd === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.syncWaiters.push({ upTo: this.written, resolve });
      // What is still to be written is synced once it is (`failed` retries).
      if (this.inFile === this.written) this.syncSoon();
    });
  }

  /** One fdatasync at a time; whatever is written while it runs goes with the next. */
  private syncSoon(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    const fd = this.fd;
    if (fd === undefined) return;
    this.syncing = true;
    this.syncAgain = false;
    const upTo = this.inFile;
    fdatasync(fd, () => {
      // An error here (the file was compacted and closed meanwhile) leaves nothing unsynced:
      // compaction and close sync everything themselves.
      this.syncing = false;
      this.resolveWaiters(upTo);
      if (this.syncAgain || this.syncWaiters.some((waiter) => waiter.upTo <= this.inFile)) this.syncSoon();
    });
  }

  private resolveWaiters(upTo: number): void {
    const covered = this.syncWaiters.filter((waiter) => waiter.upTo <= upTo);
    this.syncWaiters = this.syncWaiters.filter((waiter) => waiter.upTo > upTo);
    for (const waiter of covered) waiter.resolve();
  }

  /**
   * Rewrites the file from the live state. The state includes what waits to be written, so
   * a compaction that succeeds writes that too; one that fails (a full disk) leaves the old
   * file as it was, appended to again.
   */
  compact(): void {
    this.closeFile();
    const records = this.liveRecords();
    const temp = `${this.file}.tmp`;
    try {
      const text = Buffer.from([JOURNAL_FORMAT, ...records].map((r) => JSON.stringify(r)).join('\n') + '\n');
      const fd = openSync(temp, 'w');
      try {
        for (let at = 0; at < text.length;) at += writeSync(fd, text, at);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.file);
    } catch (error) {
      rmSync(temp, { force: true });
      this.fd = openSync(this.file, 'a');
      this.failed(error as Error);
      return;
    }
    syncDirectory(this.options.dir);
    this.fd = openSync(this.file, 'a');
    this.lines = records.length;
    this.unwritten = Buffer.alloc(0);
    this.inFile = this.written;
    this.resolveWaiters(this.inFile);
    this.recovered();
  }

  close(): void {
    if (this.fd !== undefined && this.unwritten.length > 0) this.writeOut(this.fd);
    this.closeFile();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    // Records appended with `soon` may still wait for their sync.
    if (this.syncing || this.syncAgain || this.syncWaiters.length > 0) {
      try {
        fsyncSync(this.fd);
      } catch (error) {
        this.failed(error as Error);
      }
    }
    closeSync(this.fd);
    this.fd = undefined;
    this.syncAgain = false;
    // Those whose records never reached the file are not told they are on disk.
    this.resolveWaiters(this.inFile);
  }

  private requireOpen(): number {
    if (this.fd === undefined) throw new Error('journal is not open');
    return this.fd;
  }

  private apply(record: JournalRecord): void {
    switch (record.t) {
      case 'alert':
        this.state.alerts.set(record.v.id, record.v);
        break;
      case 'alert-removed':
        this.state.alerts.delete(record.id);
        break;
      case 'silence':
        this.state.silences.set(record.v.id, record.v);
        break;
      case 'silence-removed':
        this.state.silences.delete(record.id);
        break;
      case 'delivery':
        this.state.deliveries.set(record.v.key, record.v);
        if (record.v.status === 'pending' || record.v.status === 'sending')
          this.state.unsent.add(record.v.key);
        else this.state.unsent.delete(record.v.key);
        break;
      case 'link-used':
        this.state.usedLinks.set(record.nonce, { expiresAt: record.expiresAt, at: record.at });
        break;
      case 'evidence':
        this.state.evidence.set(record.key, record.at);
        break;
    }
  }

  private liveRecords(): JournalRecord[] {
    const alerts = [...this.state.alerts.values()];
    const resolved = alerts
      .filter((a) => a.state === 'resolved')
      .sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0));
    for (const old of resolved.slice(this.options.keepResolved ?? 1000)) this.state.alerts.delete(old.id);
    // Done with: delivered, or superseded (not to be sent).
    const delivered = [...this.state.deliveries.values()]
      .filter((d) => d.status === 'delivered' || d.status === 'superseded')
      .sort((a, b) => (b.deliveredAt ?? b.updatedAt) - (a.deliveredAt ?? a.updatedAt));
    for (const old of delivered.slice(this.options.keepDelivered ?? 500))
      this.state.deliveries.delete(old.key);
    const now = Date.now();
    for (const [nonce, used] of this.state.usedLinks)
      if (used.expiresAt < now) this.state.usedLinks.delete(nonce);
    return [
      ...[...this.state.usedLinks].map(([nonce, used]): JournalRecord => ({
        t: 'link-used',
        nonce,
        expiresAt: used.expiresAt,
        at: used.at,
      })),
      ...[...this.state.alerts.values()].map((v): JournalRecord => ({ t: 'alert', v })),
      ...[...this.state.silences.values()].map((v): JournalRecord => ({ t: 'silence', v })),
      ...[...this.state.deliveries.values()].map((v): JournalRecord => ({ t: 'delivery', v })),
      ...[...this.state.evidence].map(([key, at]): JournalRecord => ({ t: 'evidence', key, at })),
    ];
  }
}

/**
 * True when the line is the format line of this release's journal; throws for another
 * store's or another release's format, which replayed as this one would drop every record
 * it cannot read and lose alert state without a word.
 */
function isFormatLine(line: string, file: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return false;
  }
  const found = parsed as { t?: unknown; store?: unknown; version?: unknown } | null;
  if (found?.t !== 'format') return false;
  if (found.store === JOURNAL_FORMAT.store && found.version === JOURNAL_FORMAT.version) return true;
  throw new Error(
    `alerting journal ${file} is ${String(found.store)} format ${String(found.version)}; this release reads ` +
      `${JOURNAL_FORMAT.store} format ${JOURNAL_FORMAT.version}: start the release that wrote it, or restore a ` +
      'backup this release made (docs/upgrades.md) / 告警日志格式与本版本不符：请用写入它的版本启动，或恢复本版本做的备份',
  );
}

function parseLine(line: string): JournalRecord | undefined {
  try {
    const result = journalRecordSchema.safeParse(JSON.parse(line));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse to fsync a directory; the rename is still atomic.
  }
}
