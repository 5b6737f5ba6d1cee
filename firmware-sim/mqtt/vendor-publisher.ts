import type { VendorTopic } from '../../devices/index.js';
import type { SiteDevice } from '../../site/index.js';
import type { Random } from '../random.js';

export interface PublishOptions {
  retain?: boolean;
}

/** What a device behaviour or a fault effect may do with one simulated MQTT device. */
export interface VendorPublisher {
  readonly device: SiteDevice;
  readonly vendorId: string;
  readonly random: Random;
  now(): number;
  readonly utcOffsetMinutes: number;
  /**
   * Publishes a vendor payload on one of the device profile's topics (its `*_TOPICS`), on
   * the device's concrete topic; the payload has the shape that topic's schema reads.
   */
  publish<Sent>(topic: VendorTopic<Sent>, payload: NoInfer<Sent>, options?: PublishOptions): void;
  /** Publishes payloads one after another, the configured burst spacing apart (a burst at a door). */
  publishSeries<Sent>(topic: VendorTopic<Sent>, payloads: readonly NoInfer<Sent>[]): void;
  /** Runs `task` every `intervalMs` until the device stops. */
  every(intervalMs: number, task: () => void): void;
}
