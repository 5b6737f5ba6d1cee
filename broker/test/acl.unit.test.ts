import { describe, expect, it } from 'vitest';
import { canPublish, canReceive, canSubscribe } from '../auth/acl.js';
import type { Principal } from '../auth/principal.js';

const gateway: Principal = {
  username: 'gw-a',
  role: 'gateway',
  sites: ['s'],
  gateway: 'gw-a',
  anonymous: false,
};
const ingest: Principal = { username: 'ingest', role: 'ingest', sites: ['s'], anonymous: false };
const alerting: Principal = { username: 'alerting', role: 'alerting', sites: ['s', 't'], anonymous: false };
const admin: Principal = { username: 'admin', role: 'admin', sites: ['*'], anonymous: false };

const allowed = (decision: { allowed: boolean }) => decision.allowed;

describe('topic ACL', () => {
  it.each([
    ['v1/s/gw-a/dev-1/telemetry', true],
    ['v1/s/gw-a/dev-1/event', true],
    ['v1/s/gw-a/status', true],
    ['v1/s/gw-a/health', true],
    ['v1/s/gw-a/batch', true],
    ['v1/s/gw-b/dev-1/telemetry', false],
    ['v1/t/gw-a/dev-1/telemetry', false],
    ['v1/s/alerts/x', false],
    ['v1/s/gw-a/Dev-1/telemetry', false],
    ['v1/s/gw-a//telemetry', false],
    ['v1/s/gw-a/+/telemetry', false],
    ['v1/s/gw-a/dev-1/other', false],
    ['ops/deadletter/ingest', false],
  ])('gateway publishing %s: %s', (topic, expected) => {
    expect(allowed(canPublish(gateway, topic))).toBe(expected);
  });

  it.each([
    ['v1/s/gw-a/#', true],
    ['v1/s/gw-a/+/telemetry', true],
    ['v1/s/gw-b/#', false],
    ['v1/s/+/#', false],
    ['v1/#', false],
    ['#', false],
  ])('gateway subscribing %s: %s', (filter, expected) => {
    expect(allowed(canSubscribe(gateway, filter))).toBe(expected);
  });

  it('limits ingest to the v1 stream of its sites and its dead letters', () => {
    expect(allowed(canSubscribe(ingest, 'v1/s/+/+/telemetry'))).toBe(true);
    expect(allowed(canSubscribe(ingest, 'v1/+/+/+/telemetry'))).toBe(false);
    expect(allowed(canSubscribe(ingest, 'v1/t/#'))).toBe(false);
    expect(allowed(canSubscribe(ingest, 'ops/#'))).toBe(false);
    expect(allowed(canSubscribe({ ...ingest, sites: ['*'] }, 'v1/+/+/+/telemetry'))).toBe(true);
    expect(allowed(canPublish(ingest, 'ops/deadletter/ingest'))).toBe(true);
    expect(allowed(canPublish(ingest, 'ops/deadletter/alerting'))).toBe(false);
    expect(allowed(canPublish(ingest, 'v1/s/gw-a/dev-1/telemetry'))).toBe(false);
  });

  it('lets alerting publish alerts of its sites and read ops topics', () => {
    expect(allowed(canPublish(alerting, 'v1/s/alerts/fire-1'))).toBe(true);
    expect(allowed(canPublish(alerting, 'v1/t/alerts/fire-1'))).toBe(true);
    expect(allowed(canPublish(alerting, 'v1/u/alerts/fire-1'))).toBe(false);
    expect(allowed(canPublish(alerting, 'v1/s/gw-a/status'))).toBe(false);
    // its catch-up marker, read back through its own session, for its sites only
    expect(allowed(canPublish(alerting, 'v1/s/_alerting/catch-up'))).toBe(true);
    expect(allowed(canPublish(alerting, 'v1/u/_alerting/catch-up'))).toBe(false);
    expect(allowed(canSubscribe(alerting, 'v1/s/_alerting/catch-up'))).toBe(true);
    expect(allowed(canPublish(ingest, 'v1/s/_alerting/catch-up'))).toBe(false);
    expect(allowed(canSubscribe(alerting, 'ops/#'))).toBe(false);
    expect(allowed(canSubscribe({ ...alerting, sites: ['*'] }, 'ops/#'))).toBe(true);
    expect(allowed(canSubscribe(alerting, 'v1/t/+/status'))).toBe(true);
    expect(allowed(canSubscribe(alerting, 'v1/+/alerts/+'))).toBe(false);
  });

  it('lets admin do anything but publish to wildcards or $ topics', () => {
    expect(allowed(canPublish(admin, 'anything/at/all'))).toBe(true);
    expect(allowed(canSubscribe(admin, '$SYS/#'))).toBe(true);
    expect(allowed(canPublish(admin, 'a/+/b'))).toBe(false);
    expect(allowed(canPublish(admin, '$SYS/x'))).toBe(false);
  });

  it.each([
    [gateway, 'v1/s/gw-a/dev-1/telemetry', true],
    [gateway, 'v1/s/gw-b/dev-1/telemetry', false],
    [gateway, 'v1/s/alerts/fire', false],
    [gateway, 'ops/deadletter/ingest', false],
    [ingest, 'v1/s/gw-a/dev-1/event', true],
    [ingest, 'v1/t/gw-a/dev-1/event', false],
    [ingest, 'ops/deadletter/ingest', false],
    [alerting, 'ops/deadletter/ingest', false],
    [{ ...alerting, sites: ['*'] }, 'ops/deadletter/ingest', true],
    [alerting, 'v1/u/gw-a/status', false],
    [admin, '$SYS/broker/uptime', true],
  ])('delivers to %o a message on %s: %s', (principal, topic, expected) => {
    expect(allowed(canReceive(principal, topic))).toBe(expected);
  });

  it('refuses U+0000 in a topic or filter, for admins too ([MQTT-4.7.3-2])', () => {
    expect(allowed(canPublish(admin, 'v1/s/gw-a/\u0000/status'))).toBe(false);
    expect(allowed(canSubscribe(admin, 'v1/\u0000/#'))).toBe(false);
    expect(allowed(canSubscribe(admin, '$SYS/#'))).toBe(true);
  });
});
