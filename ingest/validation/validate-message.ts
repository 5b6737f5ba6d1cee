import {
  decodeBatchPayload,
  type EventMessage,
  type HealthMessage,
  type StatusMessage,
  type TelemetryMessage,
  type TopicKind,
} from '../../contracts/index.js';
import type { RegisteredDevice, SiteRegistry } from '../../site/index.js';
import { parseJson } from './json-stage.js';
import { accept, type Rejection, type StageResult } from './rejection.js';
import {
  checkDevice,
  checkEventType,
  checkGateway,
  checkSite,
  checkTelemetryFields,
} from './registry-stage.js';
import { checkSchema, messageSchemas } from './schema-stage.js';
import type { SiteDirectory } from './site-directory.js';
import { acceptTelemetryFast, telemetryItemReader } from './fast-path.js';
import { itemPayload } from './item-payload.js';
import { checkSize } from './size-limit.js';
import { readBatchEnvelope } from './telemetry-shape.js';
import { checkTimestamp, type ClockPolicy } from './timestamp-stage.js';
import { checkTopic } from './topic-stage.js';

interface GatewayOrigin {
  site: string;
  gateway: string;
}

export type ValidReading =
  | (GatewayOrigin & { kind: 'telemetry'; device: RegisteredDevice; message: TelemetryMessage })
  | (GatewayOrigin & { kind: 'event'; device: RegisteredDevice; message: EventMessage })
  | (GatewayOrigin & { kind: 'status'; message: StatusMessage })
  | (GatewayOrigin & { kind: 'health'; message: HealthMessage });

/** The topic's kind, or `invalid` when the topic itself could not be read. */
export type MessageKind = TopicKind | 'invalid';

export interface ValidationOutcome {
  kind: MessageKind;
  accepted: ValidReading[];
  rejected: Rejection[];
}

export interface ValidationContext extends ClockPolicy {
  sites: SiteDirectory;
  maxPayloadBytes: number;
  now?: () => number;
}

/**
 * Runs the stages in order: size → topic → JSON → schema → registry → timestamp.
 * A batch is split after its envelope is read, and each item goes through the
 * remaining stages on its own.
 */
export function validateMessage(
  topic: string,
  payload: Buffer,
  context: ValidationContext,
): ValidationOutcome {
  return validate(topic, payload, context, true);
}

/** The same stages through zod only, without the fast path: the reference the fast path is tested against. */
export function validateMessageWithZod(
  topic: string,
  payload: Buffer,
  context: ValidationContext,
): ValidationOutcome {
  return validate(topic, payload, context, false);
}

function validate(
  topic: string,
  received: Buffer,
  context: ValidationContext,
  fastPath: boolean,
): ValidationOutcome {
  const fail = (kind: ValidationOutcome['kind'], rejection: Rejection): ValidationOutcome => ({
    kind,
    accepted: [],
    rejected: [rejection],
  });
  const parsedTopic = checkTopic(topic, received);
  const size = checkSize(received, context.maxPayloadBytes);
  if (!size.ok) return fail(parsedTopic.ok ? parsedTopic.value.kind : 'invalid', size.rejection);
  if (!parsedTopic.ok) return fail('invalid', parsedTopic.rejection);
  const where = parsedTopic.value;
  // A batch may arrive gzip-compressed (contracts/batch-encoding.ts); later stages read its JSON.
  const decoded =
    where.kind === 'batch'
      ? decodeBatchPayload(received, context.maxPayloadBytes)
      : { ok: true as const, json: received };
  if (!decoded.ok)
    return fail(where.kind, { code: decoded.code, reason: decoded.reason, issues: [], payload: received });
  const payload = decoded.json;
  const json = parseJson(payload);
  if (!json.ok) return fail(where.kind, json.rejection);
  const site = checkSite(context.sites, where.site, payload);
  const now = (context.now ?? Date.now)();

  const single = (result: StageResult<ValidReading>): ValidationOutcome =>
    result.ok
      ? { kind: where.kind, accepted: [result.value], rejected: [] }
      : fail(where.kind, result.rejection);

  switch (where.kind) {
    case 'telemetry': {
      if (fastPath) {
        const reading = acceptTelemetryFast(
          json.value,
          site.ok ? site.value : undefined,
          where.gateway,
          where.device,
          context,
          now,
        );
        if (reading) return { kind: where.kind, accepted: [reading], rejected: [] };
      }
      const message = checkSchema(messageSchemas.telemetry, json.value, payload);
      if (!message.ok) return fail(where.kind, message.rejection);
      if (!site.ok) return fail(where.kind, site.rejection);
      return single(
        validateTelemetry(site.value, where.gateway, where.device, message.value, payload, context, now),
      );
    }
    case 'event': {
      const message = checkSchema(messageSchemas.event, json.value, payload);
      if (!message.ok) return fail(where.kind, message.rejection);
      if (!site.ok) return fail(where.kind, site.rejection);
      return single(
        validateEvent(site.value, where.gateway, where.device, message.value, payload, context, now),
      );
    }
    case 'status':
    case 'health': {
      const message =
        where.kind === 'status'
          ? checkSchema(messageSchemas.status, json.value, payload)
          : checkSchema(messageSchemas.health, json.value, payload);
      if (!message.ok) return fail(where.kind, message.rejection);
      if (!site.ok) return fail(where.kind, site.rejection);
      const gateway = checkGateway(site.value, where.gateway, payload);
      if (!gateway.ok) return fail(where.kind, gateway.rejection);
      const ts = checkTimestamp(message.value.ts, context, payload, now);
      if (!ts.ok) return fail(where.kind, ts.rejection);
      const origin = { site: where.site, gateway: where.gateway };
      return single({
        ok: true,
        value:
          where.kind === 'status'
            ? { ...origin, kind: 'status', message: message.value as StatusMessage }
            : { ...origin, kind: 'health', message: message.value as HealthMessage },
      });
    }
    case 'batch':
      return validateBatch(where, json.value, payload, site, context, now, fastPath);
  }
}

function validateTelemetry(
  registry: SiteRegistry,
  gateway: string,
  deviceId: string,
  message: TelemetryMessage,
  payload: Buffer,
  clock: ClockPolicy,
  now: number,
): StageResult<ValidReading> {
  const device = checkDevice(registry, deviceId, gateway, payload);
  if (!device.ok) return device;
  const fields = checkTelemetryFields(device.value, message.values, payload);
  if (!fields.ok) return fields;
  const ts = checkTimestamp(message.ts, clock, payload, now);
  if (!ts.ok) return ts;
  return {
    ok: true,
    value: { kind: 'telemetry', site: registry.siteId, gateway, device: device.value, message },
  };
}

function validateEvent(
  registry: SiteRegistry,
  gateway: string,
  deviceId: string,
  message: EventMessage,
  payload: Buffer,
  clock: ClockPolicy,
  now: number,
): StageResult<ValidReading> {
  const device = checkDevice(registry, deviceId, gateway, payload);
  if (!device.ok) return device;
  const type = checkEventType(device.value, message.type, payload);
  if (!type.ok) return type;
  const ts = checkTimestamp(message.ts, clock, payload, now);
  if (!ts.ok) return ts;
  return {
    ok: true,
    value: { kind: 'event', site: registry.siteId, gateway, device: device.value, message },
  };
}

function validateBatch(
  where: GatewayOrigin,
  json: unknown,
  payload: Buffer,
  site: StageResult<SiteRegistry>,
  context: ValidationContext,
  now: number,
  fastPath: boolean,
): ValidationOutcome {
  const fail = (rejection: Rejection): ValidationOutcome => ({
    kind: 'batch',
    accepted: [],
    rejected: [rejection],
  });
  const fastEnvelope = fastPath ? readBatchEnvelope(json) : undefined;
  const envelope = fastEnvelope ? accept(fastEnvelope) : checkSchema(messageSchemas.batch, json, payload);
  if (!envelope.ok) return fail(envelope.rejection);
  if (!site.ok) return fail(site.rejection);
  const gateway = checkGateway(site.value, where.gateway, payload);
  if (!gateway.ok) return fail(gateway.rejection);

  const outcome: ValidationOutcome = { kind: 'batch', accepted: [], rejected: [] };
  const collect = (label: string, result: StageResult<ValidReading>) => {
    if (result.ok) outcome.accepted.push(result.value);
    else {
      const { rejection } = result;
      outcome.rejected.push({
        ...rejection,
        reason: `${label}: ${rejection.reason}`,
        issues: rejection.issues.map((issue) => `${label}.${issue}`),
      });
    }
  };
  const { telemetry, events } = envelope.value;
  const fastItem = fastPath ? telemetryItemReader(site.value, where.gateway, context, now) : undefined;
  // Index loops, not forEach: a hole in the array is an item like any other (zod's copy has none).
  for (let index = 0; index < telemetry.length; index++) {
    const raw = telemetry[index];
    const reading = fastItem?.(raw);
    if (reading) {
      outcome.accepted.push(reading);
      continue;
    }
    const itemBytes = itemPayload(raw);
    const item = checkSchema(messageSchemas.batchTelemetryItem, raw, itemBytes);
    if (!item.ok) {
      collect(`telemetry[${index}]`, item);
      continue;
    }
    const { device, ...message } = item.value;
    collect(
      `telemetry[${index}]`,
      validateTelemetry(site.value, where.gateway, device, message, itemBytes, context, now),
    );
  }
  for (let index = 0; index < events.length; index++) {
    const raw = events[index];
    const itemBytes = itemPayload(raw);
    const item = checkSchema(messageSchemas.batchEventItem, raw, itemBytes);
    if (!item.ok) {
      collect(`events[${index}]`, item);
      continue;
    }
    const { device, ...message } = item.value;
    collect(
      `events[${index}]`,
      validateEvent(site.value, where.gateway, device, message, itemBytes, context, now),
    );
  }
  return outcome;
}
