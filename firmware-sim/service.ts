import { writeFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { createMetricsRegistry, createServiceHttp, type Component, type Logger } from '../runtime/index.js';
import type { SimulatorConfig } from './config.js';
import { controlRoutes } from './control/control-routes.js';
import { Simulator } from './simulator.js';

/**
 * The simulator as a long-running service: the village plus its control API
 * (with /healthz, /readyz, /metrics) on `controlPort`.
 */
export class SimulatorService implements Component {
  private village: Simulator | undefined;
  private http: FastifyInstance | undefined;

  constructor(
    private readonly config: Readonly<SimulatorConfig>,
    private readonly logger: Logger,
  ) {}

  get simulator(): Simulator {
    if (!this.village) throw new Error('the simulator service is not started');
    return this.village;
  }

  /** The control API's base URL once started. */
  get controlUrl(): string | undefined {
    const address = this.http?.server.address();
    return address && typeof address === 'object' ? `http://${this.config.host}:${address.port}` : undefined;
  }

  async start(): Promise<void> {
    const registry = createMetricsRegistry('firmware-sim');
    const simulator = new Simulator({ config: this.config, logger: this.logger, registry });
    this.village = simulator;
    try {
      await simulator.start();
      const endpoints = simulator.busEndpoints();
      this.logger.info({ buses: endpoints }, 'bus endpoints');
      if (this.config.endpointsFile) {
        await writeFile(this.config.endpointsFile, `${JSON.stringify({ buses: endpoints }, null, 2)}\n`);
      }
      const http = createServiceHttp({
        logger: this.logger,
        registry,
        readiness: [{ name: 'village', check: () => simulator.ready() }],
      });
      this.http = http;
      const token = this.config.controlToken;
      if (token) {
        const hosts = [
          ...this.config.controlHosts,
          ...(isWildcard(this.config.host) ? [] : [this.config.host]),
        ];
        await http.register(controlRoutes, { simulator, token, hosts });
      } else {
        this.logger.warn(
          'control API off: no SIM_CONTROL_TOKEN (faults cannot be switched) / 未设置控制令牌，故障开关已关闭',
        );
      }
      await http.listen({ host: this.config.host, port: this.config.controlPort });
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.logger.info({ url: this.controlUrl }, 'control API listening');
  }

  async stop(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    await http?.close();
    await this.village?.stop();
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
