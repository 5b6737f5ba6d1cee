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

export function zodIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
