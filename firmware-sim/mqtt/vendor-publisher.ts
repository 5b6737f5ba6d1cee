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
  /** Publishes a vendor payload on the concrete topic of one of the profile's patterns. */
  publish(pattern: string, payload: unknown, options?: PublishOptions): void;
  /** Publishes payloads one after another, the configured burst spacing apart (a burst at a door). */
  publishSeries(pattern: string, payloads: readonly unknown[]): void;
  /** Runs `task` every `intervalMs` until the device stops. */
  every(intervalMs: number, task: () => void): void;
}
