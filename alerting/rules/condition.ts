import { z } from 'zod';

/** A comparison against one number, or a range check; used for fire and clear conditions. */
export const comparisonSchema = z.strictObject({
  op: z.enum(['<', '<=', '>', '>=']),
  value: z.number().finite(),
});

export const rangeSchema = z
  .strictObject({
    outside: z.tuple([z.number().finite(), z.number().finite()]).optional(),
    inside: z.tuple([z.number().finite(), z.number().finite()]).optional(),
  })
  .refine(
    (r) => (r.outside === undefined) !== (r.inside === undefined),
    'give exactly one of "outside" or "inside"',
  )
  .refine((r) => {
    const pair = r.outside ?? r.inside;
    return pair !== undefined && pair[0] <= pair[1];
  }, 'range must be [low, high] with low ≤ high');

export const conditionSchema = z.union([comparisonSchema, rangeSchema]);
export type Condition = z.infer<typeof conditionSchema>;

export function conditionHolds(condition: Condition, value: number): boolean {
  if ('op' in condition) {
    switch (condition.op) {
      case '<':
        return value < condition.value;
      case '<=':
        return value <= condition.value;
      case '>':
        return value > condition.value;
      case '>=':
        return value >= condition.value;
    }
  }
  if (condition.outside) return value < condition.outside[0] || value > condition.outside[1];
  if (condition.inside) return value >= condition.inside[0] && value <= condition.inside[1];
  return false;
}

/** The negation of a condition, used as the clear condition when a rule gives none (no hysteresis). */
export function negate(condition: Condition): Condition {
  if ('op' in condition) {
    const opposite = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const;
    return { op: opposite[condition.op], value: condition.value };
  }
  return condition.outside ? { inside: condition.outside } : { outside: condition.inside };
}

/** "< 0.05", "outside 6.5–8.5": how a threshold is shown in a notification. */
export function describeCondition(condition: Condition, unit = ''): string {
  const suffix = unit ? ` ${unit}` : '';
  if ('op' in condition) return `${condition.op} ${condition.value}${suffix}`;
  if (condition.outside) return `∉ [${condition.outside[0]}, ${condition.outside[1]}]${suffix}`;
  if (condition.inside) return `∈ [${condition.inside[0]}, ${condition.inside[1]}]${suffix}`;
  return '';
}
