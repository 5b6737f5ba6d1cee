/**
 * A batch item re-serialised for its dead letter. `JSON.stringify` recurses, so an
 * item nested a few thousand levels deep (which `JSON.parse` reads fine) would throw
 * a RangeError out of validation and take the batch's valid items down with it; such
 * an item becomes a short marker instead, and is refused by its schema like any other.
 */
export function itemPayload(raw: unknown): Buffer {
  try {
    return Buffer.from(JSON.stringify(raw) ?? 'null');
  } catch (error) {
    return Buffer.from(JSON.stringify({ unserialisable_item: (error as Error).message }));
  }
}
