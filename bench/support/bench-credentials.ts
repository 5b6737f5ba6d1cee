import { addCredential } from '../../broker/index.js';

export const BENCH_SITE = 'demo-village';
export const BENCH_GATEWAY = 'gw-center';

export interface BenchUsers {
  gateway: { username: string; password: string };
  ingest: { username: string; password: string };
  /** Publishes as any gateway of any site (the multi-site load of the worker benchmark). */
  loader?: { username: string; password: string };
}

/** A gateway user for the demo site's gateway and an ingest user, as the stack creates them, plus an admin loader. */
export async function writeBenchCredentials(file: string): Promise<BenchUsers> {
  const gateway = { username: BENCH_GATEWAY, password: 'bench-gateway-password' };
  const ingest = { username: 'ingest', password: 'bench-ingest-password' };
  await addCredential(file, {
    ...gateway,
    role: 'gateway',
    sites: [BENCH_SITE],
    gateway: BENCH_GATEWAY,
  });
  await addCredential(file, { ...ingest, role: 'ingest', sites: ['*'] });
  const loader = { username: 'bench-loader', password: 'bench-loader-password' };
  await addCredential(file, { ...loader, role: 'admin', sites: ['*'] });
  return { gateway, ingest, loader };
}
