import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics. Labels stay bounded: bus and error code for polls,
 * profile and reason for vendor messages; the per-device gauge is one series per
 * device (a village has a few hundred at most).
 */
export interface EdgeMetricProbes {
  bufferDepth: () => number;
  bufferBytes?: () => number;
}

export function createEdgeMetrics(registry: Registry, probes: EdgeMetricProbes) {
  const registers = [registry];
  return {
    pollsTotal: new Counter({
      name: 'edge_modbus_polls_total',
      help: 'Device polls by bus and result (ok, error)',
      labelNames: ['bus', 'result'] as const,
      registers,
    }),
    pollErrorsTotal: new Counter({
      name: 'edge_modbus_poll_errors_total',
      help: 'Failed device polls by bus and error code',
      labelNames: ['bus', 'code'] as const,
      registers,
    }),
    transactionsTotal: new Counter({
      name: 'edge_modbus_transactions_total',
      help: 'Modbus read transactions sent, by bus',
      labelNames: ['bus'] as const,
      registers,
    }),
    retriesTotal: new Counter({
      name: 'edge_modbus_retries_total',
      help: 'Poll attempts repeated after a timeout or garbled answer, by bus',
      labelNames: ['bus'] as const,
      registers,
    }),
    pollDuration: new Histogram({
      name: 'edge_modbus_poll_duration_seconds',
      help: 'Time to read all blocks of one device',
      labelNames: ['bus'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    fieldErrorsTotal: new Counter({
      name: 'edge_field_decode_errors_total',
      help: 'Register fields left out of a reading (missing, NaN, out of range), by profile',
      labelNames: ['profile'] as const,
      registers,
    }),
    deviceOnline: new Gauge({
      name: 'edge_device_online',
      help: '1 while a polled device answers, 0 once it is reported offline',
      labelNames: ['device'] as const,
      registers,
    }),
    vendorMessagesTotal: new Counter({
      name: 'edge_vendor_messages_total',
      help: 'Vendor messages from the LAN broker mapped to canonical form, by profile',
      labelNames: ['profile'] as const,
      registers,
    }),
    vendorRejectedTotal: new Counter({
      name: 'edge_vendor_rejected_total',
      help: 'Vendor messages dropped, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    lanRefusedTotal: new Counter({
      name: 'edge_lan_refused_total',
      help: 'LAN clients, logins, publishes and subscriptions the LAN broker refused, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    publishedTotal: new Counter({
      name: 'edge_published_total',
      help: 'Canonical messages handed to the upstream client, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    upstreamConnected: new Gauge({
      name: 'edge_upstream_connected',
      help: '1 while the upstream MQTT connection is up',
      registers,
    }),
    bufferDepth: new Gauge({
      name: 'edge_upstream_buffer_depth',
      help: 'Messages in the store-and-forward buffer (on disk or being written), not yet acknowledged upstream',
      registers,
      collect() {
        this.set(probes.bufferDepth());
      },
    }),
    bufferBytes: new Gauge({
      name: 'edge_buffer_bytes',
      help: 'Bytes of key and payload held in the store-and-forward buffer',
      registers,
      collect() {
        this.set(probes.bufferBytes?.() ?? 0);
      },
    }),
    bufferDroppedTotal: new Counter({
      name: 'edge_buffer_dropped_total',
      help: 'Oldest buffered messages dropped because the buffer or the disk was full, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    bufferForwardedTotal: new Counter({
      name: 'edge_buffer_forwarded_total',
      help: 'Buffered messages acknowledged by the upstream broker, by path (live, replay)',
      labelNames: ['path'] as const,
      registers,
    }),
  };
}

export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
