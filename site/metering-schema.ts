import { z } from 'zod';
import { idSchema } from '../contracts/index.js';

/**
 * Who pays for what (tenants and sub-metering) and what happened to meters (replacements):
 * what the monthly report needs beyond the devices themselves.
 */

/** A meter, or a share of one, that counts a tenant's consumption. */
export const tenantMeterSchema = z.strictObject({
  device: idSchema,
  /** The tenant's share of what the meter counts (a floor shared by two teams: 0.5). */
  share: z.number().gt(0).max(1).default(1),
});

/** 创客团队, an enterprise in the incubator, the canteen operator. */
export const tenantSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  name_en: z.string().min(1),
  meters: z.array(tenantMeterSchema).min(1),
});

/**
 * A meter replaced (换表): the old meter's last register value and the new one's first,
 * as the technician writes them on the replacement sheet (旧表止码, 新表起码), so the
 * consumption across the change is exact instead of guessed.
 */
export const meterChangeSchema = z.strictObject({
  device: idSchema,
  /** When it was replaced, with its UTC offset: `2026-11-12T10:00:00+08:00`. */
  at: z.iso.datetime({ offset: true }),
  finalReading: z.number().nonnegative(),
  initialReading: z.number().nonnegative(),
});

export const meteringSchema = z.strictObject({
  /**
   * Flow meters on the supply main (the water station's outlet): the report compares
   * them with the sum of all other flow meters (water balance) and leaves them out of
   * zone totals, which would otherwise count the water twice.
   */
  waterMains: z.array(idSchema).default([]),
  meterChanges: z.array(meterChangeSchema).default([]),
});

export type Tenant = z.infer<typeof tenantSchema>;
export type MeterChange = z.infer<typeof meterChangeSchema>;
export type Metering = z.infer<typeof meteringSchema>;
