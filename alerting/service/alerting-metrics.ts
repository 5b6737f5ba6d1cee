import type { Registry } from 'prom-client';
import { metricsOn } from '../../runtime/index.js';

export type AlertingMetrics = ReturnType<typeof createAlertingMetrics>;

/** `collect` refreshes the gauges from live state when /metrics is scraped. */
export function createAlertingMetrics(registry: Registry, collect: () => void) {
  const { counter, gauge } = metricsOn(registry);
  return {
    messages: counter(
      'alerting_messages_total',
      'Canonical messages received, by kind and outcome (accepted, invalid, unknown_device, gateway_mismatch, ignored)',
      ['kind', 'outcome'],
    ),
    transitions: counter('alerting_alert_transitions_total', 'Alert state changes, by rule and transition', [
      'rule',
      'transition',
    ]),
    deliveries: counter(
      'alerting_notification_deliveries_total',
      'Notification delivery attempts, by channel type and outcome (delivered, attempt_failed, failed, superseded)',
      ['channel', 'outcome'],
    ),
    outbox: gauge(
      'alerting_notification_outbox',
      'Outbox entries by status (pending, sending, failed; held_for_input: from before a restart, waiting for the input to catch up)',
      ['status'],
      collect,
    ),
    channelFailing: gauge(
      'alerting_notification_channel_failing',
      'Whether a notification channel keeps failing (1) or delivers (0), by channel id and type',
      ['channel', 'type'],
    ),
    pageLogins: counter(
      'alerting_page_logins_total',
      "Log-ins on the operators' page, by outcome (ok, refused)",
      ['outcome'],
    ),
    links: counter(
      'alerting_links_total',
      'One-tap links opened or used, by action (view, ack) and outcome (shown, acknowledged, forged, expired, used, not_allowed)',
      ['action', 'outcome'],
    ),
    openAlerts: gauge('alerting_open_alerts', 'Alerts currently pending or firing, by severity', [
      'state',
      'severity',
    ]),
    history: counter(
      'alerting_history_rows_total',
      'Alert history rows for InfluxDB, by outcome (written, dropped, write_failed)',
      ['outcome'],
    ),
  };
}
