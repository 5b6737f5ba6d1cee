import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createIngestMetrics } from './metrics.js';

describe('ingest metrics', () => {
  it('shows every message kind at 0 before the first message, so a rate() over it works from the start', async () => {
    const registry = new Registry();
    const metrics = createIngestMetrics(registry);
    metrics.messagesIn.inc({ kind: 'telemetry' });
    const text = await registry.metrics();
    for (const kind of ['batch', 'event', 'status', 'health', 'invalid'])
      expect(text).toContain(`ingest_messages_total{kind="${kind}"} 0\n`);
    expect(text).toContain('ingest_messages_total{kind="telemetry"} 1\n');
  });
});
