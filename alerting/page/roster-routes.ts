import type { FastifyInstance, FastifyRequest } from 'fastify';
import { personActor } from '../people/actor.js';
import { siteRosterSchema } from '../people/roster-schema.js';
import type { PageContext } from './page-context.js';
import { checkCsrf, requirePerson, sendPage } from './page-request.js';
import { WORDS } from './page-words.js';
import { messagePage } from './views/layout.js';
import { rosterPage } from './views/roster-views.js';

/** A form field as a list (checkbox groups send one value per box). */
function list(body: Record<string, unknown>, key: string): string[] {
  const value = body[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String).filter((v) => v !== '');
}

function text(body: Record<string, unknown>, key: string): string {
  return list(body, key).at(-1)?.trim() ?? '';
}

/**
 * The roster a site's form describes: one shift per row that names people and days
 * or dates; blank rows and rows marked for removal are left out. Validated by the
 * same schema as the YAML roster.
 */
function rosterFromForm(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const rows = Math.min(Number(text(body, 'rows')) || 0, 200);
  const shifts: unknown[] = [];
  for (let i = 0; i < rows; i += 1) {
    if (text(body, `remove_${i}`) === '1') continue;
    const people = list(body, `people_${i}`);
    const days = list(body, `days_${i}`);
    const dates = text(body, `dates_${i}`)
      .split(/[\s,，、]+/)
      .filter(Boolean);
    if (people.length === 0 && days.length === 0 && dates.length === 0) continue;
    shifts.push({
      ...(dates.length > 0 ? { dates } : { days }),
      from: text(body, `from_${i}`) || '00:00',
      to: text(body, `to_${i}`) || '24:00',
      people,
    });
  }
  return siteRosterSchema.safeParse({ shifts, escalation: list(body, 'escalation') });
}

/** Everyone sees the roster; admins change a site's shifts and escalation. */
export function registerRosterRoutes(page: FastifyInstance, ctx: PageContext): void {
  page.get<{ Querystring: { done?: string } }>('/roster', async (request, reply) => {
    const session = requirePerson(ctx, request, reply);
    if (!session) return reply;
    return sendPage(reply, 200, rosterPage(ctx, session, request.query.done ? WORDS.done.saved : undefined));
  });

  page.post<{ Params: { site: string } }>('/roster/:site', async (request, reply) => {
    const session = requirePerson(ctx, request, reply, 'admin');
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    const site = request.params.site;
    if (!ctx.sites.includes(site))
      return sendPage(reply, 404, messagePage(WORDS.notFound, undefined, session));
    const parsed = rosterFromForm(request);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return sendPage(reply, 400, rosterPage(ctx, session, undefined, issues));
    }
    const unknown = [...parsed.data.shifts.flatMap((s) => s.people), ...parsed.data.escalation].filter(
      (id) => !ctx.people.get(id),
    );
    if (unknown.length > 0)
      return sendPage(
        reply,
        400,
        rosterPage(ctx, session, undefined, `unknown people: ${unknown.join(', ')}`),
      );
    ctx.roster.setSite(site, parsed.data, personActor(session.person.id));
    request.log.info(
      { by: session.person.id, site, shifts: parsed.data.shifts.length },
      'duty roster changed',
    );
    return reply.redirect('/roster?done=1', 303);
  });
}
