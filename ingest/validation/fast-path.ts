import type { RegisteredDevice, SiteRegistry } from '../../site/index.js';
import { readTelemetry, readTelemetryItem, knownFields } from './telemetry-shape.js';
import { isWithinClockPolicy, type ClockPolicy } from './timestamp-stage.js';
import type { ValidReading } from './validate-message.js';

/**
 * Telemetry that passes every stage (schema, registry, clock) without building a
 * single rejection, for the shape gateways send all day. `undefined` means "not
 * sure": the caller runs the full stages, which accept or explain the refusal; so
 * the fast path can only skip work, never change an outcome.
 */
export function acceptTelemetryFast(
  raw: unknown,
  registry: SiteRegistry | undefined,
  gateway: string,
  deviceId: string,
  clock: ClockPolicy,
  now: number,
): ValidReading | undefined {
  if (!registry) return undefined;
  const device = deviceOfGateway(registry, deviceId, gateway);
  if (!device) return undefined;
  const message = readTelemetry(raw, knownFields(device.profile));
  if (!message || !isWithinClockPolicy(message.ts, clock, now)) return undefined;
  return { kind: 'telemetry', site: registry.siteId, gateway, device, message };
}

/** Reads the telemetry items of one batch; `accept(raw)` answers like {@link acceptTelemetryFast}. */
export function telemetryItemReader(
  registry: SiteRegistry,
  gateway: string,
  clock: ClockPolicy,
  now: number,
): (raw: unknown) => ValidReading | undefined {
  // The device `fieldsOf` found for the item being read, so it is looked up once.
  let device: RegisteredDevice | undefined;
  const fieldsOf = (deviceId: string) => {
    device = deviceOfGateway(registry, deviceId, gateway);
    return device && knownFields(device.profile);
  };
  return (raw) => {
    device = undefined;
    const item = readTelemetryItem(raw, fieldsOf);
    if (!item || !device || !isWithinClockPolicy(item.ts, clock, now)) return undefined;
    return {
      kind: 'telemetry',
      site: registry.siteId,
      gateway,
      device,
      message: { ts: item.ts, seq: item.seq, values: item.values },
    };
  };
}

function deviceOfGateway(
  registry: SiteRegistry,
  deviceId: string,
  gateway: string,
): RegisteredDevice | undefined {
  const device = registry.device(deviceId);
  return device && device.device.gateway === gateway ? device : undefined;
}
