export {
  AlertingVillage,
  villageClock,
  WEBHOOK_SECRET,
  type AlertingVillageOptions,
} from './alerting-village.js';
export {
  WebhookReceiver,
  type AlertNotice,
  type ReceivedNotice,
  type NoticeMatch,
} from './webhook-receiver.js';
export { SmtpReceiver, type ReceivedMail } from './smtp-receiver.js';
export { TcpProxy } from './tcp-proxy.js';
export { BareBroker, topicMatches } from './bare-broker.js';
export { publishedReadings, type PublishedReading } from './published-readings.js';
export { callApi } from './api-client.js';
export { PageClient } from './page-client.js';
export { PhoneBrowser, ARTIFACTS_DIR } from './phone-browser.js';
export { HttpReceiver, type ReceivedRequest, type ReceiverAnswer } from './http-receiver.js';
export { runCli, runCliWithInput } from './run-cli.js';
export { quietLogger, startTestBroker, testBrokerConfig, type TestBroker } from './test-broker.js';
export { hasFields, rowWithFields } from './stored-point.js';
