import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Component, Logger } from '../../runtime/index.js';
import type { Credential } from './credential-schema.js';
import { readCredentialsFile } from './credentials-file.js';

export interface CredentialStoreOptions {
  file: string;
  logger: Logger;
  /** Called after every successful reload with the new set. */
  onReload?: (store: CredentialStore) => void;
  debounceMs?: number;
}

/**
 * The credentials in memory, reloaded when the file changes. The directory is
 * watched rather than the file because an atomic write replaces the file's inode.
 * A file that fails validation leaves the previous credentials in force: a typo
 * must not lock every gateway out.
 */
export class CredentialStore implements Component {
  private entries = new Map<string, Credential>();
  private loads = 0;
  private rejected: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly options: CredentialStoreOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(username: string): Credential | undefined {
    return this.entries.get(username);
  }

  /**
   * Why the file on disk was last refused, until a valid one is read. The previous
   * credentials stay in force meanwhile (a typo must not lock every gateway out), so a
   * user removed in that edit can still connect: the broker is not ready while this is
   * set, and says so.
   */
  get rejection(): string | undefined {
    return this.rejected;
  }

  /** Changes with every load of the file, so derived indexes know when to rebuild. */
  get generation(): number {
    return this.loads;
  }

  all(): IterableIterator<Credential> {
    return this.entries.values();
  }

  async start(): Promise<void> {
    this.replace(await readCredentialsFile(this.options.file));
    const directory = dirname(this.options.file);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const name = basename(this.options.file);
    this.watcher = watch(directory, (_event, filename) => {
      if (filename === null || filename === name) this.scheduleReload();
    });
    this.watcher.on('error', (error) =>
      this.options.logger.error({ err: error }, 'credentials watcher failed'),
    );
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.debounce);
    this.debounce = undefined;
    await this.reloading;
  }

  /** Reads the file now; also used by tests and by an operator-triggered reload. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        this.replace(await readCredentialsFile(this.options.file));
        this.rejected = undefined;
        this.options.logger.info({ credentials: this.entries.size }, 'credentials reloaded');
        this.options.onReload?.(this);
      } catch (error) {
        this.rejected = (error as Error).message;
        this.options.logger.error(
          { err: error },
          'credentials file rejected; the previous credentials stay in force (users removed in it can still connect) until it is fixed',
        );
      }
    });
    return this.reloading;
  }

  private scheduleReload(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      if (this.watcher) void this.reload();
    }, this.options.debounceMs ?? 100);
  }

  private replace(entries: readonly Credential[]): void {
    this.entries = new Map(entries.map((entry) => [entry.username, entry]));
    this.loads += 1;
  }
}
