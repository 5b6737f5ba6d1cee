import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter } from '../hot-counter.js';

function counterWith(registry: Registry) {
  return new HotCounter({
    name: 'test_messages_total',
    help: 'messages, by qos',
    labelName: 'qos',
    values: ['0', '1'],
    registers: [registry],
  });
}

const sample = (text: string, labels: string) =>
  text.split('\n').find((line) => line.startsWith(`test_messages_total{${labels}}`));

describe('HotCounter', () => {
  it('shows the declared label values at 0 before anything is counted', async () => {
    const registry = new Registry();
    counterWith(registry);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_messages_total counter');
    expect(sample(text, 'qos="0"')).toBe('test_messages_total{qos="0"} 0');
    expect(sample(text, 'qos="1"')).toBe('test_messages_total{qos="1"} 0');
  });

  it('reports running totals, through a bound child or by value, without counting twice across scrapes', async () => {
    const registry = new Registry();
    const counter = counterWith(registry);
    const qos1 = counter.child('1');
    const { inc: incQos1 } = counter.child('1');
    for (let i = 0; i < 4; i++) qos1.inc();
    incQos1();
    counter.inc('0', 3);
    expect(sample(await registry.metrics(), 'qos="1"')).toBe('test_messages_total{qos="1"} 5');
    qos1.inc(2);
    const text = await registry.metrics();
    expect(sample(text, 'qos="1"')).toBe('test_messages_total{qos="1"} 7');
    expect(sample(text, 'qos="0"')).toBe('test_messages_total{qos="0"} 3');
  });

  it('takes label values it was not told of, and refuses to shrink', async () => {
    const registry = new Registry();
    const counter = new HotCounter<string>({
      name: 'test_messages_total',
      help: 'messages, by qos',
      labelName: 'qos',
      values: [],
      registers: [registry],
    });
    counter.inc('2');
    expect(sample(await registry.metrics(), 'qos="2"')).toBe('test_messages_total{qos="2"} 1');
    expect(() => counter.inc('2', -1)).toThrow(/only grows/);
    expect(() => counter.inc('2', Number.NaN)).toThrow(/only grows/);
    expect(sample(await registry.metrics(), 'qos="2"')).toBe('test_messages_total{qos="2"} 1');
  });
});
