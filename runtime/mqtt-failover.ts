type MqttProtocol = 'mqtt' | 'mqtts' | 'tcp' | 'ws' | 'wss';

export interface MqttServer {
  host: string;
  port: number;
  protocol: MqttProtocol;
}

const DEFAULT_PORTS: Record<MqttProtocol, number> = {
  mqtt: 1883,
  tcp: 1883,
  mqtts: 8883,
  ws: 80,
  wss: 443,
};

/**
 * mqtt.js' `servers` option for a client that may use several nodes of a broker
 * cluster: each (re)connection attempt takes the next one in turn, the primary
 * first, so a client whose node died is on another within one reconnect period.
 * With no failover URLs the option is left out and mqtt.js uses the URL alone.
 */
export function mqttFailoverServers(
  primary: string,
  failover: readonly string[],
): { servers?: MqttServer[] } {
  if (failover.length === 0) return {};
  return { servers: mqttServers(primary, failover) };
}

/** The primary's server first, then each failover URL's: the order connection attempts take them in. */
export function mqttServers(primary: string, failover: readonly string[]): MqttServer[] {
  return [primary, ...failover].map(toServer);
}

function toServer(url: string): MqttServer {
  const parsed = new URL(url);
  const scheme = parsed.protocol.replace(/:$/, '');
  const protocol = (scheme === 'tls' ? 'mqtts' : scheme) as MqttProtocol;
  if (!(protocol in DEFAULT_PORTS)) throw new Error(`not an MQTT URL: ${url}`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsed.port ? Number(parsed.port) : DEFAULT_PORTS[protocol], protocol };
}
