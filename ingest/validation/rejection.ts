import type { z } from 'zod';
import type { ErrorCode } from '../../runtime/index.js';

/** Why a message (or one item of a batch) was refused: a code from the runtime catalogue. */
export type IngestRejectionCode = ErrorCode;

export interface Rejection {
  code: IngestRejectionCode;
  reason: string;
  issues: string[];
  /** The bytes that were refused: the whole payload, or one batch item re-serialised. */
  payload: Buffer;
}

export type StageResult<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export function accept<T>(value: T): StageResult<T> {
  return { ok: true, value };
}

export function reject<T>(
  code: IngestRejectionCode,
  reason: string,
  payload: Buffer,
  issues: string[] = [],
): StageResult<T> {
  return { ok: false, rejection: { code, reason, issues, payload } };
}

/**
 * Issue texts echo keys of the payload (paths, unrecognised keys), so a hostile key
 * of 200 KiB would otherwise be copied into the log line, the dead-letter file and the
 * dead-letter MQTT message, where it could pass the broker's payload limit.
 */
const MAX_ISSUE_CHARS = 240;

export function zodIssues(error: z.ZodError): string[] {
  return error.issues
    .slice(0, 20)
    .map((issue) => truncate(`${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
}

function truncate(text: string): string {
  return text.length <= MAX_ISSUE_CHARS ? text : `${text.slice(0, MAX_ISSUE_CHARS)}… (${text.length} chars)`;
}
