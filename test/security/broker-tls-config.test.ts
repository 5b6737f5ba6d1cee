import { describe, expect, it } from 'vitest';
import { BrokerService, brokerConfigSchema, brokerEnvMap } from '../../broker/index.js';
import { loadConfig } from '../../runtime/index.js';
import { quietLogger } from '../support/index.js';

const load = (env: Record<string, string>) =>
  loadConfig({ schema: brokerConfigSchema, envMap: brokerEnvMap, env });

describe('broker TLS config', () => {
  it('reads the TLS listener and HTTPS files from the environment', () => {
    const config = load({
      BROKER_MQTT_ENABLED: 'false',
      BROKER_TLS_HOST: '0.0.0.0',
      BROKER_TLS_PORT: '18883',
      BROKER_TLS_CERT_FILE: '/etc/village/broker.crt',
      BROKER_TLS_KEY_FILE: '/etc/village/broker.key',
      BROKER_TLS_CA_FILE: '/etc/village/gateways-ca.crt',
      BROKER_TLS_REQUIRE_CLIENT_CERT: 'true',
      BROKER_HTTPS_CERT_FILE: '/etc/village/http.crt',
      BROKER_HTTPS_KEY_FILE: '/etc/village/http.key',
    });
    expect(config.mqtt.enabled).toBe(false);
    expect(config.tls).toEqual({
      host: '0.0.0.0',
      port: 18883,
      certFile: '/etc/village/broker.crt',
      keyFile: '/etc/village/broker.key',
      caFile: '/etc/village/gateways-ca.crt',
      requireClientCert: true,
    });
    expect(config.http.https).toEqual({
      certFile: '/etc/village/http.crt',
      keyFile: '/etc/village/http.key',
    });
  });

  it('defaults the TLS listener to loopback port 8883 without client certificates', () => {
    const config = load({ BROKER_TLS_CERT_FILE: '/c.crt', BROKER_TLS_KEY_FILE: '/c.key' });
    expect(config.tls).toEqual({
      host: '127.0.0.1',
      port: 8883,
      certFile: '/c.crt',
      keyFile: '/c.key',
      requireClientCert: false,
    });
    expect(config.mqtt.enabled).toBeUndefined();
  });

  it('refuses to turn the plain listener off without TLS', () => {
    expect(() => load({ BROKER_MQTT_ENABLED: 'false' })).toThrow(/mqtt\.enabled/);
  });

  it('refuses requireClientCert without a CA to check certificates against', () => {
    expect(() =>
      load({
        BROKER_TLS_CERT_FILE: '/c.crt',
        BROKER_TLS_KEY_FILE: '/c.key',
        BROKER_TLS_REQUIRE_CLIENT_CERT: '1',
      }),
    ).toThrow(/tls\.caFile.*requireClientCert needs caFile/);
  });

  it('names a TLS port without certificate files', () => {
    expect(() => load({ BROKER_TLS_PORT: '8883' })).toThrow(/tls\.certFile/);
  });

  it('does not start when the certificate file cannot be read, and says which', async () => {
    const broker = new BrokerService(
      brokerConfigSchema.parse({
        mqtt: { port: 0 },
        http: { port: 0 },
        allowAnonymous: true,
        persistence: { backend: 'memory' },
        tls: { port: 0, certFile: '/nonexistent/broker.crt', keyFile: '/nonexistent/broker.key' },
      }),
      { logger: quietLogger() },
    );
    await expect(broker.start()).rejects.toThrow(/CONFIG_INVALID.*\/nonexistent\/broker\.crt/);
    await broker.stop();
  });

  it('refuses requireClientCert while the plain listener takes anyone a password, and accepts it on loopback or off', () => {
    const mutualTls = {
      BROKER_TLS_CERT_FILE: '/c.crt',
      BROKER_TLS_KEY_FILE: '/c.key',
      BROKER_TLS_CA_FILE: '/ca.crt',
      BROKER_TLS_REQUIRE_CLIENT_CERT: 'true',
    };
    expect(() => load({ ...mutualTls, BROKER_MQTT_HOST: '0.0.0.0' })).toThrow(
      /mqtt\.host \(from BROKER_MQTT_HOST\).*plain listener must be off/s,
    );
    expect(() => load({ ...mutualTls, BROKER_MQTT_HOST: '192.168.1.5' })).toThrow(/mqtt\.host/);
    expect(load({ ...mutualTls }).mqtt.host).toBe('127.0.0.1');
    expect(
      load({ ...mutualTls, BROKER_MQTT_HOST: '0.0.0.0', BROKER_MQTT_ENABLED: 'false' }).mqtt.enabled,
    ).toBe(false);
  });

  it('lets anonymous clients in (as admins, dev mode) only while every listener is on loopback', () => {
    expect(() => load({ BROKER_ALLOW_ANONYMOUS: 'true', BROKER_MQTT_HOST: '0.0.0.0' })).toThrow(
      /allowAnonymous \(from BROKER_ALLOW_ANONYMOUS\).*only with every MQTT listener on loopback/s,
    );
    expect(() =>
      load({
        BROKER_ALLOW_ANONYMOUS: 'true',
        BROKER_TLS_HOST: '0.0.0.0',
        BROKER_TLS_CERT_FILE: '/c.crt',
        BROKER_TLS_KEY_FILE: '/c.key',
      }),
    ).toThrow(/allowAnonymous/);
    expect(load({ BROKER_ALLOW_ANONYMOUS: 'true' }).allowAnonymous).toBe(true);
  });
});
