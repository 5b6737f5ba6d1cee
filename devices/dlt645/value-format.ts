import { z } from 'zod';

/**
 * How a value is packed: `bytes` BCD bytes sent least significant first, holding
 * 2 × bytes digits of which `decimals` follow the decimal point (XXX.X V is
 * { bytes: 2, decimals: 1 }). `signed`: the top bit of the most significant byte is
 * the sign (1 = negative), as DL/T 645-2007 does for current, power and power factor.
 */
export const dlt645ValueFormatSchema = z
  .strictObject({
    bytes: z.number().int().min(1).max(8),
    decimals: z.number().int().min(0).max(16),
    signed: z.boolean().default(false),
  })
  .refine((format) => format.decimals <= format.bytes * 2, {
    message: 'decimals cannot exceed the 2 digits per byte the format holds',
    path: ['decimals'],
  });
export type Dlt645ValueFormat = z.infer<typeof dlt645ValueFormatSchema>;
