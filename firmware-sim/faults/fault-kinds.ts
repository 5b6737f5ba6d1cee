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
  'leak',
  'quality-excursion',
  'meter-silent',
  'meter-garbage',
  'door-forced',
  'door-held-open',
  'access-denied-burst',
  'camera-offline',
  'camera-tamper',
  'fire-alarm',
  'emergency-battery-fault',
] as const;

export const faultKindSchema = z.enum(FAULT_KINDS);
export type FaultKind = z.infer<typeof faultKindSchema>;

/** What an operator asks for: a fault kind on a device or zone id. */
export const faultRequestSchema = z.strictObject({
  kind: faultKindSchema,
  target: idSchema,
});
export type FaultRequest = z.infer<typeof faultRequestSchema>;

export const faultSchema = z.strictObject({
  id: z.string(),
  kind: faultKindSchema,
  target: idSchema,
  targetType: z.enum(['device', 'zone']),
  startedAt: z.number().int(),
});
export type Fault = z.infer<typeof faultSchema>;
