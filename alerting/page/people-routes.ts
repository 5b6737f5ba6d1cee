import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idSchema } from '../../contracts/index.js';
import { generatePersonPassword, PeopleError } from '../people/people-store.js';
import { personNameSchema, personRoleSchema, phoneSchema } from '../people/person-schema.js';
import type { PageContext } from './page-context.js';
import { checkCsrf, formOf, requirePerson, sendPage } from './page-request.js';
import { WORDS, type Words } from './page-words.js';
import { peoplePage } from './views/account-views.js';

const optionalPhone = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(phoneSchema.optional());

const newPersonForm = z.object({
  id: idSchema,
  name: personNameSchema,
  phone: optionalPhone,
  role: personRoleSchema,
});

const personForm = z.object({
  do: z.enum(['save', 'reset-password']),
  name: personNameSchema,
  phone: optionalPhone,
  role: personRoleSchema,
  disabled: z.literal('1').optional(),
});

const ERRORS: Record<PeopleError['code'], Words> = {
  PERSON_EXISTS: { zh: '这个账号已经存在', en: 'That account exists already' },
  PERSON_UNKNOWN: { zh: '没有这个人', en: 'No such person' },
  LAST_ADMIN: { zh: '不能停用或降级最后一位管理员', en: 'The last admin cannot be disabled or demoted' },
  PASSWORD_WEAK: { zh: '密码太短', en: 'The password is too short' },
};

/** Admins add people, change their name, phone, role or access, and reset passwords (shown once). */
export function registerPeopleRoutes(page: FastifyInstance, ctx: PageContext): void {
  page.get('/people', async (request, reply) => {
    const session = requirePerson(ctx, request, reply, 'admin');
    if (!session) return reply;
    return sendPage(reply, 200, peoplePage(session, ctx.people.list()));
  });

  page.post('/people', async (request, reply) => {
    const session = requirePerson(ctx, request, reply, 'admin');
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    const form = newPersonForm.safeParse(formOf(request));
    if (!form.success)
      return sendPage(reply, 400, peoplePage(session, ctx.people.list(), undefined, WORDS.invalidInput));
    const password = generatePersonPassword();
    try {
      await ctx.people.create(form.data, password);
    } catch (error) {
      if (!(error instanceof PeopleError)) throw error;
      return sendPage(reply, 400, peoplePage(session, ctx.people.list(), undefined, ERRORS[error.code]));
    }
    request.log.info({ by: session.person.id, person: form.data.id, role: form.data.role }, 'person added');
    return sendPage(
      reply,
      200,
      peoplePage(session, ctx.people.list(), {
        words: WORDS.done.saved,
        password: { person: form.data.id, value: password },
      }),
    );
  });

  page.post<{ Params: { id: string } }>('/people/:id', async (request, reply) => {
    const session = requirePerson(ctx, request, reply, 'admin');
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    const form = personForm.safeParse(formOf(request));
    if (!form.success)
      return sendPage(reply, 400, peoplePage(session, ctx.people.list(), undefined, WORDS.invalidInput));
    const id = request.params.id;
    try {
      if (form.data.do === 'reset-password') {
        const password = generatePersonPassword();
        await ctx.people.setPassword(id, password);
        request.log.info({ by: session.person.id, person: id }, 'password reset');
        return sendPage(
          reply,
          200,
          peoplePage(session, ctx.people.list(), {
            words: WORDS.done.saved,
            password: { person: id, value: password },
          }),
        );
      }
      ctx.people.update(id, {
        name: form.data.name,
        phone: form.data.phone ?? null,
        role: form.data.role,
        disabled: form.data.disabled === '1',
      });
    } catch (error) {
      if (!(error instanceof PeopleError)) throw error;
      return sendPage(reply, 400, peoplePage(session, ctx.people.list(), undefined, ERRORS[error.code]));
    }
    request.log.info({ by: session.person.id, person: id, role: form.data.role }, 'person changed');
    // Changing oneself may end one's own session (a lower role): the list then asks to log in again.
    return reply.redirect('/people', 303);
  });
}
