export { FaultVillage, type FaultVillageOptions, type EdgeStatus } from './fault-village.js';
export { SeqLedger } from './seq-ledger.js';
export {
  LoadPublisher,
  LOAD_SEQ_BASE,
  type LoadDevice,
  type LoadPublisherOptions,
} from './load-publisher.js';
export { storedSeqs, storedCounts } from './stored-seqs.js';
export {
  awaitDelivery,
  deliveryReport,
  logReport,
  summary,
  type DeliveryReport,
  type DeliveryExpectation,
} from './delivery-check.js';
export { rssBytes } from './process-rss.js';
export { queuedReadings, type QueuedReadings } from './redis-session-queue.js';
export { whereMissing } from './missing-seqs.js';
export { tmpfsAvailable, mountTmpfs, unmount, fillDisk, fillLastBytes, freeDisk } from './tmpfs.js';
export { RssSampler, type RssSample } from './rss-sampler.js';
