import { createServer, type Server } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from '../../runtime/index.js';
import type { EdgeConfig } from '../config/edge-config-schema.js';

export interface LanBrokerOptions {
  lan: EdgeConfig['lan'];
  logger: Logger;
}

/**
 * The in-process MQTT broker LAN devices publish to. Anonymous unless `lan.users` is
 * set (see the config schema for why), so it must only listen on the LAN interface.
 */
export class LanBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private boundPort = 0;

  constructor(private readonly options: LanBrokerOptions) {}

  get aedes(): Aedes {
    if (!this.broker) throw new Error('LAN broker is not started');
    return this.broker;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { lan, logger } = this.options;
    const users = lan.users;
    const broker = await Aedes.createBroker(
      users
        ? {
            authenticate: (_client, username, password, done) => {
              const ok = users.some(
                (u) => u.username === username && password !== undefined && sameSecret(u.password, password),
              );
              if (ok) return done(null, true);
              const error = new Error('bad username or password') as AuthenticateError;
              error.returnCode = 4 as AuthenticateError['returnCode'];
              return done(error, false);
            },
          }
        : {},
    );
    broker.on('clientError', (client, error) =>
      logger.debug({ client: client.id, err: error }, 'LAN client error'),
    );
    this.broker = broker;
    const server = createServer(broker.handle);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(lan.port, lan.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => logger.error({ err: error }, 'LAN broker socket error'));
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : lan.port;
    logger.info({ host: lan.host, port: this.boundPort, anonymous: !users }, 'LAN broker listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function sameSecret(expected: string, given: Buffer): boolean {
  const wanted = Buffer.from(expected, 'utf8');
  return wanted.length === given.length && timingSafeEqual(wanted, given);
}
