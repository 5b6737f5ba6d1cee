import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export type ConnectOutcome =
  | { kind: 'connected'; client: MqttClient }
  /** CONNACK with a failure code: 4 bad username or password, 5 not authorised. */
  | { kind: 'refused'; code: number }
  /** The transport failed: TLS verification, a reset, a handshake alert. */
  | { kind: 'transport_error'; message: string }
  /** Closed before any CONNACK, without an error. */
  | { kind: 'closed' };

/**
 * Connects once, without retries, and says how it went. A connected client is
 * handed back for the caller to use and end; every other outcome leaves nothing open.
 * `created` sees the client before it connects: a persistent session's queued messages
 * can arrive with the CONNACK, before the caller's `await` resumes.
 */
export function tryConnect(
  url: string,
  options: IClientOptions = {},
  created: (client: MqttClient) => void = () => undefined,
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    created(client);
    let settled = false;
    const settle = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      if (outcome.kind !== 'connected') client.end(true);
      resolve(outcome);
    };
    client.once('connect', () => settle({ kind: 'connected', client }));
    client.once('error', (error: Error & { code?: unknown }) => {
      if (typeof error.code === 'number') settle({ kind: 'refused', code: error.code });
      else settle({ kind: 'transport_error', message: `${String(error.code ?? '')} ${error.message}` });
    });
    client.once('close', () => settle({ kind: 'closed' }));
  });
}

/** True for every outcome but a connection. */
export function notConnected(outcome: ConnectOutcome): boolean {
  if (outcome.kind === 'connected') {
    outcome.client.end(true);
    return false;
  }
  return true;
}
