import { startAlerting } from '../../alerting/index.js';
import { startBroker } from '../../broker/index.js';
import { startGateway } from '../../edge/index.js';
import { startIngest } from '../../ingest/index.js';
import { CodedError, type Component, type ConfigSources, type Logger } from '../../runtime/index.js';
import { VILLAGE_MODULES, type VillageConfig, type VillageModule } from './village-config.js';

export type StartModule = (sources: ConfigSources) => Promise<Component>;

/**
 * Alerting stops first: in one process the gateway going down is the village's own
 * shutdown, not an incident; judged by a still-running alerting, every restart raised
 * 片区疑似停电 for each zone of the gateway. The others stop in reverse start order.
 */
const STOP_ORDER: readonly VillageModule[] = ['alerting', 'edge', 'ingest', 'broker'];

const START: Readonly<Record<VillageModule, StartModule>> = {
  broker: startBroker,
  ingest: startIngest,
  alerting: startAlerting,
  edge: startGateway,
};

/**
 * The village's services in one Node process: each is the same module it is in its own
 * process, built from its own config, with its own logger, HTTP port (/healthz, /readyz,
 * /metrics) and metrics registry. They start in dependency order and stop alerting first.
 */
export class VillageHost implements Component {
  private running: Array<{ module: VillageModule; handle: Component }> = [];

  constructor(
    private readonly config: VillageConfig,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly starters: Readonly<Record<VillageModule, StartModule>> = START,
  ) {}

  get modules(): VillageModule[] {
    return this.running.map((entry) => entry.module);
  }

  async start(): Promise<void> {
    for (const module of VILLAGE_MODULES) {
      if (!this.config.modules.includes(module)) continue;
      try {
        const handle = await this.starters[module]({ file: this.config.configFiles[module], env: this.env });
        this.running.push({ module, handle });
        this.logger.info({ module }, 'module started');
      } catch (error) {
        await this.stop();
        throw new CodedError('MODULE_START_FAILED', `${module}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  }

  /** Stops every running module in STOP_ORDER; one failing to stop does not keep the others running. */
  async stop(): Promise<void> {
    const running = [...this.running].sort(
      (a, b) => STOP_ORDER.indexOf(a.module) - STOP_ORDER.indexOf(b.module),
    );
    this.running = [];
    for (const { module, handle } of running) {
      try {
        await handle.stop();
        this.logger.info({ module }, 'module stopped');
      } catch (error) {
        this.logger.error({ err: error, module }, 'module did not stop cleanly');
      }
    }
  }
}
