import { z } from 'zod';
import { idSchema } from '../../contracts/index.js';

export const FAULT_KINDS = [
  'power-outage',
  'low-pressure',
  'high-pressure',
  'undervoltage',
  'overvoltage',
  'frequency-deviation',
  'water-outage',
  'tank-low',
  'tank-overflow',
  'leak',
  'quality-excursion',
  'phase-loss',
  'phase-imbalance',
  'overload',
  'meter-silent',
  'meter-garbage',
  'device-silent',
  'door-forced',
  'door-held-open',
  'reader-tamper',
  'access-denied-burst',
  'camera-offline',
  'camera-tamper',
  'fire-alarm',
  'fire-fault',
  'fire-supervisory',
  'fire-disable',
  'emergency-battery-fault',
  'emergency-lamp-fault',
  'mains-lost',
  'self-test-failed',
  'self-test-missing',
  'linkage-failure',
] as const;

export const faultKindSchema = z.enum(FAULT_KINDS);
export type FaultKind = z.infer<typeof faultKindSchema>;

/** What an operator asks for: a fault kind on a device, building or zone id. */
export const faultRequestSchema = z.strictObject({
  kind: faultKindSchema,
  target: idSchema,
});
export type FaultRequest = z.infer<typeof faultRequestSchema>;

export const faultSchema = z.strictObject({
  id: z.string(),
  kind: faultKindSchema,
  target: idSchema,
  targetType: z.enum(['device', 'building', 'zone']),
  startedAt: z.number().int(),
});
export type Fault = z.infer<typeof faultSchema>;
