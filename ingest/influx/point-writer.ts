/** What the batching pipeline needs from an InfluxDB write path, whatever the server version. */
export interface PointWriter {
  /** Which API this writer uses, for logs. */
  readonly description: string;
  /**
   * Writes a body of line protocol (each line ended by `\n`, UTF-8), given as pieces to
   * send one after another; throws an `InfluxWriteError` that says whether to retry,
   * split or give up.
   */
  write(body: readonly Buffer[]): Promise<void>;
  /** True when the server answers `/ping`. */
  ping(): Promise<boolean>;
}

/**
 * - `retryable`: the server or the network failed (refused, timeout, 5xx, 429, auth, missing database): the
 *   same points are fine and are written again later.
 * - `rejected`: the server refused the data itself (400/422: parse error, field type conflict, partial write).
 * - `too-large`: the request body was too large (413); smaller batches will pass.
 */
export type WriteFailureKind = 'retryable' | 'rejected' | 'too-large';

export class InfluxWriteError extends Error {
  constructor(
    readonly kind: WriteFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'InfluxWriteError';
  }
}

export function failureKindOf(status: number): WriteFailureKind {
  if (status === 400 || status === 422) return 'rejected';
  if (status === 413) return 'too-large';
  return 'retryable';
}

/** The server's own explanation, from a JSON `{"error": ...}` / `{"message": ...}` body or the raw text. */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text = parsed.error ?? parsed.message;
    if (typeof text === 'string') return text.slice(0, 1000);
  } catch {
    // not JSON; fall through
  }
  return body.slice(0, 1000);
}

export function isInfluxWriteError(error: unknown): error is InfluxWriteError {
  return error instanceof InfluxWriteError;
}
