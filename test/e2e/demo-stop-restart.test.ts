import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, waitFor } from '../../runtime/index.js';

/** `npm start` on a data folder, in its own process group as a terminal runs it. */
class DemoRun {
  readonly child: ChildProcess;
  output = '';

  constructor(dataDir: string) {
    this.child = spawn('npm', ['start', '--', '--data', dataDir, '--log-level', 'warn'], {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  async running(): Promise<void> {
    await waitFor(
      'the demo stack running',
      () => {
        if (this.child.exitCode !== null) throw new Error(`npm start exited:\n${this.output}`);
        return this.output.includes('Press Ctrl+C to stop.');
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
  }

  /** The port of a line of the start banner ("gateway  status    http://127.0.0.1:9103/"). */
  port(line: RegExp): number {
    const match = line.exec(this.output);
    if (!match?.[1]) throw new Error(`no ${line} in:\n${this.output}`);
    return Number(match[1]);
  }

  /**
   * Ctrl+C in the terminal (SIGINT to every process of the foreground group), or SIGTERM to
   * npm alone (`kill`, a supervisor); either way the whole stack stops.
   */
  async stop(how: 'ctrl-c' | 'sigterm'): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || !this.output.includes('Press Ctrl+C to stop.')) return;
    const alerting = this.port(/operators' page {4}http:\/\/127\.0\.0\.1:(\d+)\//);
    const gone = this.child.exitCode !== null || this.child.signalCode !== null;
    const exited = gone
      ? undefined
      : new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      // npm gone already (a test that failed): its group may still hold the stack
      if (how === 'ctrl-c' || gone) process.kill(-pid, 'SIGINT');
      else process.kill(pid, 'SIGTERM');
    } catch {
      // no such group: nothing is left of it
    }
    await exited;
    await waitFor(
      `the stack stopped after ${how}`,
      async () =>
        !(await fetch(`http://127.0.0.1:${alerting}/healthz`).then(
          () => true,
          () => false,
        )),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }
}

interface InboxLine {
  title: string;
  text: string;
}

/**
 * The demo stopped with Ctrl+C (or SIGTERM) and started again on the same data folder, as a
 * newcomer does: the simulated devices stopping with the demo are no device fault, so the
 * operator's inbox gets no "camera offline" for them (then "recovered" a minute later); a
 * camera that really goes offline still reaches it.
 */
describe('npm start, stopped, npm start again', () => {
  let dataDir: string;
  let run: DemoRun | undefined;

  const inbox = (): InboxLine[] => {
    const file = join(dataDir, 'notifications.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as InboxLine);
  };

  /** Every camera of the demo connected to the gateway's LAN broker (so its stop could be seen). */
  const camerasOnline = async (current: DemoRun) => {
    const gateway = current.port(/gateway {2}status {4}http:\/\/127\.0\.0\.1:(\d+)\//);
    await waitFor(
      'the cameras online at the gateway',
      async () => {
        const response = await fetch(`http://127.0.0.1:${gateway}/api/devices`);
        const { devices } = (await response.json()) as {
          devices: Array<{ profile: string; online?: boolean }>;
        };
        const cameras = devices.filter((d) => d.profile === 'frigate-camera');
        return cameras.length > 0 && cameras.every((d) => d.online === true);
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-stop-restart-'));
  });

  afterAll(async () => {
    await run?.stop('ctrl-c');
    rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);

  it('tells the operator of no camera going offline for the demo stopping, and of a camera fault after it', async () => {
    for (const how of ['ctrl-c', 'sigterm'] as const) {
      run = new DemoRun(dataDir);
      await run.running();
      await camerasOnline(run);
      await run.stop(how);
    }

    run = new DemoRun(dataDir);
    await run.running();
    await camerasOnline(run);
    const simControl = run.port(/simulator control {2}http:\/\/127\.0\.0\.1:(\d+)\/faults/);
    const { simControlToken } = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
      simControlToken: string;
    };
    const response = await fetch(`http://127.0.0.1:${simControl}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${simControlToken}` },
      body: JSON.stringify({ kind: 'camera-offline', target: 'clinic-camera' }),
    });
    expect(response.status).toBeLessThan(300);
    // The fault's alarm is the marker: whatever the stop and the start caused came before it.
    await waitFor(
      "the clinic camera's alarm in the inbox",
      () =>
        inbox().some((n) => n.title.startsWith('[告警] 摄像头离线') && n.text.includes('(clinic-camera)')),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const cameraNotices = inbox()
      .filter((n) => n.title.includes('摄像头离线'))
      .map((n) => `${n.title} ${/\((\S+-camera)\)/.exec(n.text)?.[1]}`);
    expect(cameraNotices).toEqual(['[告警] 摄像头离线 · 卫生室 clinic-camera']);
  }, 480_000);
});
