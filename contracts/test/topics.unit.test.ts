import { describe, expect, it } from 'vitest';
import { parseTopic, topics, topicFilters, gatewayIdSchema, idSchema } from '../index.js';

describe('topics', () => {
  it('builds and parses every v1 topic shape', () => {
    expect(parseTopic(topics.telemetry('demo', 'gw-1', 'meter-1'))).toEqual({
      kind: 'telemetry',
      site: 'demo',
      gateway: 'gw-1',
      device: 'meter-1',
    });
    expect(parseTopic(topics.event('demo', 'gw-1', 'door-1'))).toEqual({
      kind: 'event',
      site: 'demo',
      gateway: 'gw-1',
      device: 'door-1',
    });
    expect(parseTopic(topics.status('demo', 'gw-1'))).toEqual({
      kind: 'status',
      site: 'demo',
      gateway: 'gw-1',
    });
    expect(parseTopic(topics.health('demo', 'gw-1'))).toEqual({
      kind: 'health',
      site: 'demo',
      gateway: 'gw-1',
    });
    expect(parseTopic(topics.batch('demo', 'gw-1'))).toEqual({
      kind: 'batch',
      site: 'demo',
      gateway: 'gw-1',
    });
    expect(parseTopic(topics.alert('demo', 'low-pressure'))).toEqual({
      kind: 'alert',
      site: 'demo',
      ruleId: 'low-pressure',
    });
  });

  it.each([
    'v1/demo/gw-1/meter-1/telemetry/extra',
    'v2/demo/gw-1/meter-1/telemetry',
    'v1/Demo/gw-1/meter-1/telemetry',
    'v1/demo/gw 1/meter-1/telemetry',
    'v1/demo/gw-1/+/telemetry',
    'v1/demo/gw-1/#',
    'v1/demo//meter-1/telemetry',
    'v1/demo/gw-1/meter-1/command',
    'v1/demo/gw-1/../telemetry',
    'v1/demo/gw-1/m,x=1/telemetry',
    '',
  ])('rejects %j', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  it('subscription filters match the topics they are meant for', () => {
    expect(topicFilters.allTelemetry.split('/')).toHaveLength(
      topics.telemetry('a', 'b', 'c').split('/').length,
    );
    expect(topicFilters.gatewayPrefix('demo', 'gw-1')).toBe('v1/demo/gw-1/#');
  });

  it('ids refuse topic and line-protocol syntax; "alerts" is reserved for gateways', () => {
    for (const bad of ['a/b', '+', '#', 'a b', 'a,b', 'a=b', 'A', '', '-a', 'x'.repeat(64), 'a\nb', '"a"']) {
      expect(idSchema.safeParse(bad).success, bad).toBe(false);
    }
    expect(gatewayIdSchema.safeParse('alerts').success).toBe(false);
    expect(gatewayIdSchema.safeParse('gw-1').success).toBe(true);
  });
});
