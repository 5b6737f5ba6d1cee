/**
 * C0 and C1 controls (escape sequences, carriage returns, line feeds, bells), DEL, the
 * Unicode line and paragraph separators, and the bidirectional embeddings, overrides
 * and isolates that make text read in another order than it is stored.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, without `g`: `test` then keeps no position between calls. */
const ANY_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

/**
 * Text from a device or a gateway, made safe to print on one line of a terminal, a
 * notification or a log file: each control character becomes U+FFFD, so an event's
 * text can neither drive the operator's terminal (colours, clearing the screen, the
 * window title) nor start a line of its own that looks like another notification.
 */
export function printableText(text: string): string {
  return text.replace(UNPRINTABLE, '\uFFFD');
}

/** Whether `text` holds none of those characters (a name people edit, refused otherwise). */
export function isPrintable(text: string): boolean {
  return !ANY_UNPRINTABLE.test(text);
}
