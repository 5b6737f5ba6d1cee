import type { FastifyInstance } from 'fastify';
import { bearerMatches } from '../../runtime/index.js';

/** Loopback names the control API always answers to. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** The host name of a Host header, without its port (`[::1]:9104` → `::1`). */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1]?.toLowerCase();
  return header.replace(/:\d+$/, '').toLowerCase();
}

/**
 * Guards the simulator's control routes: a fault switched on here reaches real
 * notification channels (a fire alarm on a duty officer's phone). A request must name
 * a host the API answers to (loopback, or one configured), so a web page that rebinds
 * its own name to 127.0.0.1 is refused, and carry the control token.
 */
export function guardControlRoutes(
  app: FastifyInstance,
  options: { token: string; hosts: readonly string[] },
): void {
  const hosts = new Set([...LOOPBACK_HOSTS, ...options.hosts.map((host) => host.toLowerCase())]);
  app.addHook('onRequest', async (request, reply) => {
    const host = hostName(request.headers.host);
    if (host === undefined || !hosts.has(host)) {
      return reply.code(403).send({
        error: `模拟器控制接口不接受主机名 ${String(host)} / the control API does not answer to host ${String(host)}`,
      });
    }
    if (!bearerMatches(request.headers.authorization, [options.token])) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: '需要控制令牌 / the control token is required (Authorization: Bearer …)' });
    }
    return undefined;
  });
}
