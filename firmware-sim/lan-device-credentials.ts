import { z } from 'zod';
import { idSchema } from '../contracts/index.js';
import { readPrivateJsonFile } from '../runtime/index.js';

/**
 * What each simulated LAN device is configured with to log in to the gateway's LAN
 * broker, as a real camera or panel holds its own: by device id. The stack runner
 * writes it (mode 0600) beside the gateway's hashed copy.
 */
export const lanDeviceCredentialsSchema = z.strictObject({
  version: z.literal(1),
  devices: z.record(idSchema, z.strictObject({ username: z.string().min(1), password: z.string().min(1) })),
});
export type LanDeviceCredentials = z.infer<typeof lanDeviceCredentialsSchema>;

export async function readLanDeviceCredentials(file: string): Promise<LanDeviceCredentials['devices']> {
  const content = await readPrivateJsonFile(file, lanDeviceCredentialsSchema, 'LAN device credentials file');
  return content?.devices ?? {};
}
