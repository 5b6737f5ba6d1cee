import type { ChannelType, Language } from './delivery-schema.js';

/** How people call each kind of channel. */
export const CHANNEL_TYPE_NAMES: Record<ChannelType, Record<Language, string>> = {
  webhook: { zh: 'Webhook', en: 'webhook' },
  wecom: { zh: '企业微信', en: 'WeCom' },
  dingtalk: { zh: '钉钉', en: 'DingTalk' },
  feishu: { zh: '飞书', en: 'Feishu' },
  email: { zh: '电子邮件', en: 'e-mail' },
  mqtt: { zh: 'MQTT', en: 'MQTT' },
};
