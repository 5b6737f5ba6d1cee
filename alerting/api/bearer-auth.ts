import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares against every token in constant time (equal-length digests, no early exit). */
export function tokenMatches(presented: string, tokens: readonly string[]): boolean {
  const candidate = digest(presented);
  let match = false;
  for (const token of tokens) match = timingSafeEqual(candidate, digest(token)) || match;
  return match;
}

/** onRequest hook: `Authorization: Bearer <token>` with a token from the config, else 401. */
export function bearerAuth(tokens: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !tokenMatches(match[1] as string, tokens)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({
        code: 'AUTH_FAILED',
        message: '认证失败 / Authentication failed: send Authorization: Bearer <token>',
      });
    }
  };
}
