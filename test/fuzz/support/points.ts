import fc from 'fast-check';
import { unstorableNameReason, type FieldValue, type Point } from '../../../ingest/index.js';
import { hostileString } from './hostile.js';

/** Points with any names and values, storable or not; `storable` says which ingest must write. */
const anyName = fc.oneof(
  hostileString,
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constantFrom('time', '#m'),
);

const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.double().map((value): FieldValue => ({ type: 'float', value })),
  fc
    .oneof(fc.integer(), fc.constantFrom(2 ** 53 + 2, -(2 ** 60)))
    .map((value): FieldValue => ({ type: 'int', value })),
  fc
    .oneof(hostileString, fc.string({ unit: 'binary' }))
    .map((value): FieldValue => ({ type: 'string', value })),
  fc.boolean().map((value): FieldValue => ({ type: 'bool', value })),
);

export const pointArbitrary: fc.Arbitrary<Point> = fc.record({
  measurement: anyName,
  tags: fc.dictionary(anyName, anyName, { maxKeys: 4 }),
  fields: fc.dictionary(anyName, fieldValue, { minKeys: 1, maxKeys: 4 }),
  timestampMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
});

export function storable(point: Point): boolean {
  const tags = Object.entries(point.tags).filter(([, value]) => value !== '');
  const names = [
    unstorableNameReason(point.measurement, 'measurement'),
    ...tags.flatMap(([key, value]) => [
      unstorableNameReason(key, 'key'),
      unstorableNameReason(value, 'tag value'),
    ]),
    ...Object.keys(point.fields).map((key) => unstorableNameReason(key, 'key')),
  ];
  const values = Object.values(point.fields).every(
    (field) =>
      (field.type !== 'float' || Number.isFinite(field.value)) &&
      (field.type !== 'int' || Number.isSafeInteger(field.value)),
  );
  return values && names.every((reason) => reason === undefined);
}

/** What a reader should get back: empty tags are left out, and `-0` is written as `0`. */
export function expectedRead(point: Point) {
  return {
    measurement: point.measurement,
    tags: Object.fromEntries(Object.entries(point.tags).filter(([, value]) => value !== '')),
    fields: Object.fromEntries(
      Object.entries(point.fields).map(([key, field]) => [
        key,
        field.type === 'float' || field.type === 'int' ? { ...field, value: field.value + 0 } : field,
      ]),
    ),
    timestamp: point.timestampMs,
  };
}
