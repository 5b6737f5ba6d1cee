import type { TelemetryMessage } from '../../contracts/index.js';
import type { DeviceContext } from './site-index.js';

/**
 * A device under report by exception sends only the fields that moved past their deadband:
 * the others still hold their last value. Rules that judge fields together (the highest
 * phase voltage, the phase unbalance) and windows need the whole reading, so each message
 * is completed with the device's last values, each kept for at most the device's quiet
 * limit. Devices that send every reading pass unchanged.
 */
export class HeldValues {
  private readonly last = new Map<string, Map<string, { value: number; at: number }>>();

  complete(device: DeviceContext, message: TelemetryMessage): TelemetryMessage {
    if (device.maxIntervalS === undefined || device.quietLimitS === undefined) return message;
    const key = `${device.site}/${device.id}`;
    const fields = this.last.get(key) ?? new Map<string, { value: number; at: number }>();
    this.last.set(key, fields);
    for (const [field, value] of Object.entries(message.values)) {
      const held = fields.get(field);
      if (!held || held.at <= message.ts) fields.set(field, { value, at: message.ts });
    }
    const values: Record<string, number> = {};
    for (const [field, held] of fields) {
      if (message.ts - held.at <= device.quietLimitS * 1000) values[field] = held.value;
    }
    return { ...message, values: { ...values, ...message.values } };
  }

  /** The device went offline or came back: what it held says nothing any more. */
  forget(device: DeviceContext): void {
    this.last.delete(`${device.site}/${device.id}`);
  }
}
