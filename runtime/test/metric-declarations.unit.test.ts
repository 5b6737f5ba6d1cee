import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { metricsOn } from '../index.js';

describe('metricsOn', () => {
  it('declares counters, gauges and histograms on the registry it is given', async () => {
    const registry = new Registry();
    const { counter, gauge, histogram } = metricsOn(registry);
    counter('t_polls_total', 'Polls by bus', ['bus']).inc({ bus: 'a' }, 2);
    gauge('t_up', 'Up').set(1);
    let depth = 3;
    gauge('t_depth', 'Depth, set at scrape', [], (g) => g.set(depth));
    histogram('t_duration_seconds', 'Duration', [0.1, 1]).observe(0.5);

    const text = () => registry.metrics();
    expect(await text()).toContain(
      '# HELP t_polls_total Polls by bus\n# TYPE t_polls_total counter\nt_polls_total{bus="a"} 2',
    );
    expect(await text()).toContain('t_up 1');
    expect(await text()).toContain('t_depth 3');
    depth = 5;
    expect(await text()).toContain('t_depth 5');
    expect(await text()).toContain('t_duration_seconds_bucket{le="1"} 1');
    expect(await text()).toContain('t_duration_seconds_bucket{le="0.1"} 0');
  });
});
