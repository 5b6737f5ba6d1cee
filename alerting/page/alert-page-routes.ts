import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { silenceMatchersFor } from '../api/silence-policy.js';
import { personActor } from '../people/actor.js';
import { roleAllows } from '../people/person-schema.js';
import type { PageContext } from './page-context.js';
import { checkCsrf, formOf, requirePerson, sendPage } from './page-request.js';
import type { PageSession } from './page-session.js';
import { SILENCE_CHOICES_S, WORDS, type Words } from './page-words.js';
import { alertDetailPage, alertListPage } from './views/alert-pages.js';
import { messagePage } from './views/layout.js';

const DONE: Record<string, Words> = {
  ack: WORDS.done.ack,
  silence: WORDS.done.silence,
  note: WORDS.done.note,
};

const silenceForm = z.object({
  durationS: z.coerce.number().refine((s) => (SILENCE_CHOICES_S as readonly number[]).includes(s)),
  comment: z.string().max(2000).default(''),
});
const noteForm = z.object({ text: z.string().trim().min(1).max(2000) });
const ackForm = z.object({ comment: z.string().trim().max(2000).default('') });

type Params = { Params: { id: string } };

/** The alert list, one alert, and the acknowledge / silence / note forms of logged-in people. */
export function registerAlertPageRoutes(page: FastifyInstance, ctx: PageContext): void {
  const detail = (
    reply: FastifyReply,
    session: PageSession,
    id: string,
    status = 200,
    done?: Words,
    error?: Words,
  ) => {
    const engine = ctx.engine();
    const alert = engine.alert(id);
    if (!alert) return sendPage(reply, 404, messagePage(WORDS.notFound, undefined, session));
    const deliveries = ctx.deliveries().filter((d) => d.alert.id === id);
    return sendPage(
      reply,
      status,
      alertDetailPage(
        ctx,
        session,
        { ...alert, silenced: engine.isSilenced(alert) },
        deliveries,
        done,
        error,
      ),
    );
  };

  page.get('/', async (request, reply) => {
    const session = requirePerson(ctx, request, reply);
    if (!session) return reply;
    return sendPage(reply, 200, alertListPage(ctx, session, ctx.sites));
  });

  page.get<Params & { Querystring: { done?: string } }>('/alerts/:id', async (request, reply) => {
    const session = requirePerson(ctx, request, reply);
    if (!session) return reply;
    return detail(reply, session, request.params.id, 200, DONE[request.query.done ?? '']);
  });

  page.post<Params>('/alerts/:id/ack', async (request, reply) => {
    const session = requirePerson(ctx, request, reply, 'operator');
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    const form = ackForm.safeParse(formOf(request));
    if (!form.success) return detail(reply, session, request.params.id, 400, undefined, WORDS.invalidInput);
    const alert = ctx
      .engine()
      .acknowledge(request.params.id, personActor(session.person.id), form.data.comment);
    if (!alert) return sendPage(reply, 404, messagePage(WORDS.notFound, undefined, session));
    return reply.redirect(`/alerts/${encodeURIComponent(alert.id)}?done=ack`, 303);
  });

  page.post<Params>('/alerts/:id/silence', async (request, reply) => {
    const session = requirePerson(ctx, request, reply, 'operator');
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    const engine = ctx.engine();
    const alert = engine.alert(request.params.id);
    if (!alert) return sendPage(reply, 404, messagePage(WORDS.notFound, undefined, session));
    if (alert.severity === 'critical' && !roleAllows(session.person.role, 'admin'))
      return sendPage(reply, 403, messagePage(WORDS.forbidden, WORDS.silenceCriticalAdminOnly, session));
    const form = silenceForm.safeParse(formOf(request));
    if (!form.success || form.data.durationS > ctx.maxSilenceS)
      return detail(reply, session, alert.id, 400, undefined, WORDS.invalidInput);
    const now = ctx.now();
    engine.addSilence({
      kind: 'silence',
      matchers: silenceMatchersFor(alert),
      startsAt: now,
      endsAt: now + form.data.durationS * 1000,
      createdBy: personActor(session.person.id),
      comment: form.data.comment,
    });
    return reply.redirect(`/alerts/${encodeURIComponent(alert.id)}?done=silence`, 303);
  });

  page.post<Params>('/alerts/:id/note', async (request, reply) => {
    const session = requirePerson(ctx, request, reply, 'operator');
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    const form = noteForm.safeParse(formOf(request));
    if (!form.success) return detail(reply, session, request.params.id, 400, undefined, WORDS.invalidInput);
    const alert = ctx.engine().addNote(request.params.id, personActor(session.person.id), form.data.text);
    if (!alert) return sendPage(reply, 404, messagePage(WORDS.notFound, undefined, session));
    return reply.redirect(`/alerts/${encodeURIComponent(alert.id)}?done=note`, 303);
  });
}
