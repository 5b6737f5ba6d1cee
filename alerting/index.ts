export { AlertingService, type AlertingServiceOptions } from './service/alerting-service.js';
export { createAlerting, startAlerting } from './service/start-alerting.js';
export {
  alertingConfigSchema,
  loadAlertingConfig,
  effectiveNotifications,
  apiTokenGrants,
  httpScheme,
  ALERTING_ENV,
  type AlertingConfig,
} from './service/config.js';
export { alertingSubscriptions } from './service/mqtt-input.js';
export { decodeCanonical, type CanonicalInput, type DecodeResult } from './service/decode-message.js';
export {
  AlertEngine,
  type AlertEngineOptions,
  type EngineOutput,
  type AlertFilter,
  type IngestOutcome,
  type SilenceInput,
} from './engine/alert-engine.js';
export type { AlertChange, Transition } from './engine/alert-book.js';
export {
  alertSchema,
  silenceSchema,
  notificationIntentSchema,
  SERVICE_ZONE,
  type Alert,
  type AlertState,
  type Silence,
  type NotificationIntent,
  type NotificationReason,
} from './engine/alert-schema.js';
export { enginePolicySchema, type EnginePolicy } from './engine/engine-policy.js';
export { systemClock, type Clock } from './engine/clock.js';
export { SiteIndex, type DeviceContext } from './engine/site-index.js';
export {
  ruleSchema,
  SERVICE_CONDITIONS,
  type Rule,
  type RuleKind,
  type ServiceCondition,
} from './rules/rule-schema.js';
export { loadRules, DEFAULT_RULES_FILE } from './rules/load-rules.js';
export {
  notificationsSchema,
  type NotificationsConfig,
  type Contact,
  type Route,
} from './notify/channel-config.js';
export { deliverySchema, type Delivery } from './notify/delivery-schema.js';
export {
  webhookSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  IDEMPOTENCY_HEADER,
} from './notify/channels/webhook-sender.js';
export { dingtalkSign } from './notify/channels/dingtalk-sender.js';
export { feishuSign } from './notify/channels/feishu-sender.js';
export { renderMessage, type RenderedMessage } from './notify/message-text.js';
export { Journal, JOURNAL_FILE } from './persistence/journal.js';
export { API_SCOPES, requiredScope, scopesGrant, type ApiScope } from './api/api-scopes.js';
export type { ApiToken } from './api/bearer-auth.js';
export type { ApiRateLimit } from './api/api-rate-limit.js';
export { AlertLinks, LINK_ACTIONS, type LinkAction, type LinkClaims } from './links/alert-links.js';
export { loadPageKeys, type PageKeys } from './links/page-keys.js';
export { PERSON_ROLES, type Person, type PersonRole } from './people/person-schema.js';
