/**
 * Notification settings for tests whose receivers go down and come back: a failed
 * delivery is tried again within 300 ms, never given up on, and its channel never marked
 * failing; nothing is published on the MQTT bus.
 */
export const RETRYING_SOON = {
  publishMqtt: false,
  retryBaseMs: 100,
  retryMaxMs: 300,
  maxAttempts: 100,
  channelFailingAfter: 100,
} as const;
