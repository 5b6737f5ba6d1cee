import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/** Parses a request part with zod; on failure answers 400 with every issue and returns undefined. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  reply: FastifyReply,
): z.infer<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  void reply.code(400).send({
    code: 'REQUEST_INVALID',
    message: '请求内容不符合格式 / Request does not match its schema',
    issues: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  });
  return undefined;
}
