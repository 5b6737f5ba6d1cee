import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whether the system clock is synchronised by NTP, as systemd reports it
 * (`timedatectl show -p NTPSynchronized`), or the flag file systemd-timesyncd leaves;
 * undefined where neither can tell (no systemd, a container).
 */
export async function ntpSynchronized(): Promise<boolean | undefined> {
  try {
    const { stdout } = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], {
      timeout: 3000,
    });
    const value = stdout.trim();
    if (value === 'yes') return true;
    if (value === 'no') return false;
  } catch {
    // No timedatectl, or no systemd to ask: fall back to timesyncd's flag file.
  }
  return existsSync('/run/systemd/timesync/synchronized') ? true : undefined;
}

/** Keeps the NTP state fresh for the status page: checked at start and every 10 minutes. */
export class NtpWatch {
  private timer: NodeJS.Timeout | undefined;
  synchronized: boolean | undefined;

  async start(): Promise<void> {
    this.synchronized = await ntpSynchronized();
    this.timer = setInterval(() => {
      void ntpSynchronized().then((value) => (this.synchronized = value));
    }, 600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
