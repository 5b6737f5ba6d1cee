import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requiredScope, scopesGrant, type ApiScope } from './api-scopes.js';

/** A token as the API sees it; `name` is what logs and rate-limit keys show, never the token. */
export interface ApiToken {
  name: string;
  token: string;
  scopes: readonly ApiScope[];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares against every token in constant time (equal-length digests, no early exit). */
export function tokenMatches(presented: string, tokens: readonly string[]): boolean {
  return (
    findToken(
      presented,
      tokens.map((token, i) => ({ name: String(i), token, scopes: ['admin'] })),
    ) !== undefined
  );
}

/** The configured token equal to `presented`, compared with every one in constant time. */
export function findToken(presented: string, tokens: readonly ApiToken[]): ApiToken | undefined {
  const candidate = digest(presented);
  let found: ApiToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(candidate, digest(token.token)) && found === undefined) found = token;
  }
  return found;
}

/** The token an `Authorization: Bearer …` header carries, if it is one of ours. */
export function callerOf(request: FastifyRequest, tokens: readonly ApiToken[]): ApiToken | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match ? findToken(match[1] as string, tokens) : undefined;
}

/**
 * preParsing hook: 401 without a known token, 403 when its scopes do not cover the
 * route (api-scopes.ts). Runs after the rate limit, before the body is read.
 */
export function authorizeCaller(caller: (request: FastifyRequest) => ApiToken | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = caller(request);
    if (!token) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({
        code: 'AUTH_FAILED',
        message: '认证失败 / Authentication failed: send Authorization: Bearer <token>',
      });
      return;
    }
    const needed = requiredScope(request.method, request.routeOptions.url ?? request.url);
    if (scopesGrant(token.scopes, needed)) return;
    request.log.warn(
      { tokenName: token.name, scope: needed, route: request.routeOptions.url },
      'API scope denied',
    );
    await reply.code(403).send({
      code: 'FORBIDDEN',
      message: `权限不足 / This token lacks the "${needed}" scope`,
      required: needed,
    });
  };
}
