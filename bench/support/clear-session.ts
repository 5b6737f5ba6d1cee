import mqtt from 'mqtt';

/**
 * Connects once with a clean session under `clientId`, which makes the broker drop that
 * client's persistent session: nothing is queued for a consumer that has finished its run
 * while the next consumer is measured.
 */
export async function clearSession(
  brokerUrl: string,
  clientId: string,
  credentials: { username: string; password: string } | undefined,
): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId,
    clean: true,
    reconnectPeriod: 0,
    ...(credentials ?? {}),
  });
  await client.endAsync(true);
}
