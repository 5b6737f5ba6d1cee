import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';

/** CONNACK 3, server unavailable: the broker asks the client to come back later (a login queue still full after a flood). */
const SERVER_UNAVAILABLE = 3;

/**
 * Connects once with a clean session under `clientId`, which makes the broker drop that
 * client's persistent session: nothing is queued for a consumer that has finished its run
 * while the next consumer is measured. Retries while the broker says to come back later.
 */
export async function clearSession(
  brokerUrl: string,
  clientId: string,
  credentials: { username: string; password: string } | undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const client = await mqtt.connectAsync(brokerUrl, {
        clientId,
        clean: true,
        reconnectPeriod: 0,
        ...(credentials ?? {}),
      });
      await client.endAsync(true);
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== SERVER_UNAVAILABLE || attempt >= 30) throw error;
      await sleep(1000);
    }
  }
}
