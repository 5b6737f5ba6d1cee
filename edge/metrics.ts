import type { Registry } from 'prom-client';
import { metricsOn } from '../runtime/index.js';

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
  const { counter, gauge, histogram } = metricsOn(registry);
  return {
    pollsTotal: counter('edge_modbus_polls_total', 'Device polls by bus and result (ok, error)', [
      'bus',
      'result',
    ]),
    pollErrorsTotal: counter('edge_modbus_poll_errors_total', 'Failed device polls by bus and error code', [
      'bus',
      'code',
    ]),
    transactionsTotal: counter('edge_modbus_transactions_total', 'Modbus read transactions sent, by bus', [
      'bus',
    ]),
    retriesTotal: counter(
      'edge_modbus_retries_total',
      'Poll attempts repeated after a timeout or garbled answer, by bus',
      ['bus'],
    ),
    pollDuration: histogram(
      'edge_modbus_poll_duration_seconds',
      'Time to read all blocks of one device',
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ['bus'],
    ),
    fieldErrorsTotal: counter(
      'edge_field_decode_errors_total',
      'Register fields left out of a reading (missing, NaN, out of range), by profile',
      ['profile'],
    ),
    deviceOnline: gauge(
      'edge_device_online',
      '1 while a polled device answers, 0 once it is reported offline',
      ['device'],
    ),
    vendorMessagesTotal: counter(
      'edge_vendor_messages_total',
      'Vendor messages from the LAN broker mapped to canonical form, by profile',
      ['profile'],
    ),
    vendorRejectedTotal: counter('edge_vendor_rejected_total', 'Vendor messages dropped, by reason', [
      'reason',
    ]),
    lanRefusedTotal: counter(
      'edge_lan_refused_total',
      'LAN clients, logins, publishes and subscriptions the LAN broker refused, by reason',
      ['reason'],
    ),
    valuesReportedTotal: counter(
      'edge_values_reported_total',
      'Polled values under report by exception: sent (moved past the deadband, or the heartbeat) or held (within it)',
      ['outcome'],
    ),
    publishedTotal: counter(
      'edge_published_total',
      'Canonical messages handed to the upstream client, by kind',
      ['kind'],
    ),
    upstreamConnected: gauge('edge_upstream_connected', '1 while the upstream MQTT connection is up'),
    bufferDepth: gauge(
      'edge_upstream_buffer_depth',
      'Messages in the store-and-forward buffer (on disk or being written), not yet acknowledged upstream',
      [],
      (gauge) => gauge.set(probes.bufferDepth()),
    ),
    bufferBytes: gauge(
      'edge_buffer_bytes',
      'Bytes of key and payload held in the store-and-forward buffer',
      [],
      (gauge) => gauge.set(probes.bufferBytes?.() ?? 0),
    ),
    bufferDroppedTotal: counter(
      'edge_buffer_dropped_total',
      'Oldest buffered messages dropped because the buffer or the disk was full, by reason',
      ['reason'],
    ),
    bufferForwardedTotal: counter(
      'edge_buffer_forwarded_total',
      'Buffered messages acknowledged by the upstream broker, by path (live, replay)',
      ['path'],
    ),
  };
}

export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
