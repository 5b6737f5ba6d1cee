import type { BenchUsers } from './bench-credentials.js';

/** The broker a consumer under test subscribes on, the influxd it writes to, and the folder for its logs. */
export interface ConsumerPlace {
  brokerUrl: string;
  users: BenchUsers | undefined;
  influxUrl: string;
  database: string;
  dir: string;
}
