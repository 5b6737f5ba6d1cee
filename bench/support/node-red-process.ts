import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from '../../runtime/index.js';
import { Child } from './child-process.js';
import type { NodeRedFlows } from './node-red-flows.js';

/**
 * Node-RED as an integrator runs it (`node-red --userDir … --settings …`, the editor on),
 * with generated flows, in its own user directory under `dir`. The packages come from the
 * shared install (node-red-install.ts) through a `node_modules` link. Credentials are stored
 * unencrypted (`credentialSecret: false`) so the benchmark can write them; log level info, the
 * level Node-RED ships with, so start-up and connections can be awaited.
 */
export class NodeRedProcess {
  private child: Child | undefined;
  private output = '';

  constructor(
    private readonly options: {
      nodeModules: string;
      dir: string;
      name: string;
      flows: NodeRedFlows;
    },
  ) {}

  get pid(): number {
    return (this.child as Child).pid;
  }

  /** Starts Node-RED and waits until its flows run and `connections` broker connections are up. */
  async start(connections: number): Promise<void> {
    const { nodeModules, dir, name, flows } = this.options;
    const userDir = join(dir, `node-red-${name}`);
    mkdirSync(userDir, { recursive: true });
    symlinkSync(nodeModules, join(userDir, 'node_modules'), 'dir');
    const port = await freePort();
    const settings = {
      flowFile: 'flows.json',
      credentialSecret: false,
      uiHost: '127.0.0.1',
      uiPort: port,
      diagnostics: { enabled: false },
      runtimeState: { enabled: false },
      telemetry: { enabled: false },
      externalModules: { autoInstall: false },
      logging: { console: { level: 'info', metrics: false, audit: false } },
    };
    writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows.nodes));
    writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify(flows.credentials));
    const child = Child.spawn(
      process.execPath,
      [
        join(nodeModules, 'node-red', 'red.js'),
        '--userDir',
        userDir,
        '--settings',
        join(userDir, 'settings.js'),
      ],
      { logFile: join(dir, `node-red-${name}.log`) },
    );
    child.process.stdout?.on('data', (chunk: Buffer) => {
      // Only the start-up lines matter; keep the tail short once running.
      this.output = (this.output + chunk.toString()).slice(-64 * 1024);
    });
    this.child = child;
    const count = (text: string) => this.output.split(text).length - 1;
    await waitFor(
      `Node-RED ${name} started with ${connections} broker connection(s)`,
      () => {
        if (child.exited) throw new Error(`Node-RED ${name} exited; see node-red-${name}.log`);
        return count('Started flows') > 0 && count('Connected to broker') >= connections;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  async stop(): Promise<void> {
    await this.child?.stop(10_000);
    this.child = undefined;
  }
}
