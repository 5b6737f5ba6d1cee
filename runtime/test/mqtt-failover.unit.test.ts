import { describe, expect, it } from 'vitest';
import { mqttFailoverServers } from '../mqtt-failover.js';

describe('mqtt failover servers', () => {
  it('leaves the option out for a single broker', () => {
    expect(mqttFailoverServers('mqtt://a:1883', [])).toEqual({});
  });

  it('lists the primary first, then the others, with default ports per scheme', () => {
    expect(mqttFailoverServers('mqtt://node-a:1884', ['mqtts://node-b', 'tls://[::1]:8884'])).toEqual({
      servers: [
        { host: 'node-a', port: 1884, protocol: 'mqtt' },
        { host: 'node-b', port: 8883, protocol: 'mqtts' },
        { host: '::1', port: 8884, protocol: 'mqtts' },
      ],
    });
  });

  it('refuses a URL that is not MQTT', () => {
    expect(() => mqttFailoverServers('mqtt://a', ['http://b'])).toThrow(/not an MQTT URL: http:\/\/b/);
  });
});
