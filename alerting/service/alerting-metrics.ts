import { Counter, Gauge, type Registry } from 'prom-client';

export type AlertingMetrics = ReturnType<typeof createAlertingMetrics>;

/** `collect` refreshes the gauges from live state when /metrics is scraped. */
export function createAlertingMetrics(registry: Registry, collect: () => void) {
  return {
    messages: new Counter({
      name: 'alerting_messages_total',
      help: 'Canonical messages received, by kind and outcome (accepted, invalid, unknown_device, gateway_mismatch, ignored)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'alerting_alert_transitions_total',
      help: 'Alert state changes, by rule and transition',
      labelNames: ['rule', 'transition'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'alerting_notification_deliveries_total',
      help: 'Notification delivery attempts, by channel type and outcome (delivered, attempt_failed, failed)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    outbox: new Gauge({
      name: 'alerting_notification_outbox',
      help: 'Outbox entries by status (pending, sending, failed)',
      labelNames: ['status'],
      collect,
      registers: [registry],
    }),
    channelFailing: new Gauge({
      name: 'alerting_notification_channel_failing',
      help: 'Whether a notification channel keeps failing (1) or delivers (0), by channel id and type',
      labelNames: ['channel', 'type'],
      registers: [registry],
    }),
    pageLogins: new Counter({
      name: 'alerting_page_logins_total',
      help: "Log-ins on the operators' page, by outcome (ok, refused)",
      labelNames: ['outcome'],
      registers: [registry],
    }),
    links: new Counter({
      name: 'alerting_links_total',
      help: 'One-tap links opened or used, by action (view, ack) and outcome (shown, acknowledged, forged, expired, used, not_allowed)',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    }),
    openAlerts: new Gauge({
      name: 'alerting_open_alerts',
      help: 'Alerts currently pending or firing, by severity',
      labelNames: ['state', 'severity'],
      registers: [registry],
    }),
    history: new Counter({
      name: 'alerting_history_rows_total',
      help: 'Alert history rows for InfluxDB, by outcome (written, dropped, write_failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
