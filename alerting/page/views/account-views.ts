import type { Person } from '../../people/person-schema.js';
import { PERSON_ROLES } from '../../people/person-schema.js';
import { html, type SafeHtml } from '../html.js';
import type { PageSession } from '../page-session.js';
import { ROLE_WORDS, WORDS, type Words } from '../page-words.js';
import { both, layout, slash } from './layout.js';

function hidden(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}" />`;
}

export function loginPage(csrf: string, next: string, error?: Words): SafeHtml {
  return layout({
    title: WORDS.login,
    body: html`${error ? html`<div class="error" id="login-error">${both(error)}</div>` : ''}
      <form class="action" method="post" action="/login">
        ${hidden(csrf)}
        <input type="hidden" name="next" value="${next}" />
        <label for="login">${both(WORDS.loginName)}</label>
        <input
          id="login"
          name="login"
          autocomplete="username"
          autocapitalize="none"
          required
          maxlength="64"
        />
        <label for="password">${both(WORDS.password)}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxlength="256"
        />
        <button class="primary" id="login-button" type="submit">${slash(WORDS.login)}</button>
      </form>`,
  });
}

export function accountPage(session: PageSession, done?: Words, error?: Words): SafeHtml {
  const p = session.person;
  return layout({
    title: WORDS.account,
    session,
    body: html`${done ? html`<div class="notice" id="done">${both(done)}</div>` : ''}${
      error ? html`<div class="error" id="form-error">${both(error)}</div>` : ''
    }
      <dl>
        <dt>${both(WORDS.name)}</dt>
        <dd>${p.name} (${p.id})</dd>
        <dt>${both(WORDS.role)}</dt>
        <dd>${both(ROLE_WORDS[p.role])}</dd>
        <dt>${both(WORDS.phone)}</dt>
        <dd>${p.phone ?? '—'}</dd>
      </dl>
      <form class="action" method="post" action="/account/password">
        ${hidden(session.csrf)}
        <h2>${both(WORDS.changePassword)}</h2>
        <label for="current">${both(WORDS.currentPassword)}</label>
        <input id="current" name="current" type="password" autocomplete="current-password" required />
        <label for="new">${both(WORDS.newPassword)}</label>
        <input id="new" name="password" type="password" autocomplete="new-password" required minlength="10" />
        <label for="again">${both(WORDS.newPasswordAgain)}</label>
        <input id="again" name="again" type="password" autocomplete="new-password" required minlength="10" />
        <button class="secondary" type="submit">${slash(WORDS.changePassword)}</button>
      </form>`,
  });
}

function roleSelect(name: string, selected: Person['role'] | undefined): SafeHtml {
  return html`<select name="${name}">
    ${PERSON_ROLES.map(
      (role) =>
        html`<option value="${role}" ${role === selected ? html` selected` : ''}>
          ${slash(ROLE_WORDS[role])}
        </option>`,
    )}
  </select>`;
}

/** Admins list, add and change accounts; a new or reset password is shown once. */
export function peoplePage(
  session: PageSession,
  people: readonly Person[],
  notice?: { words: Words; password?: { person: string; value: string } },
  error?: Words,
): SafeHtml {
  return layout({
    title: WORDS.people,
    session,
    body: html`${
      notice
        ? html`<div class="notice" id="done">
              ${both(notice.words)}${
                notice.password
                  ? html`<p>
                      ${notice.password.person}：<code id="new-password">${notice.password.value}</code
                      ><br />${both(WORDS.shownOnce)}
                    </p>`
                  : ''
              }
            </div>`
        : ''
    }${error ? html`<div class="error" id="form-error">${both(error)}</div>` : ''}
      ${people.map(
        (p) =>
          html`<form class="action person" method="post" action="/people/${p.id}" data-person="${p.id}">
            ${hidden(session.csrf)}
            <b>${p.id}</b>
            ${p.passwordHash ? '' : html`<span class="badge muted">${slash(WORDS.noPassword)}</span>`}
            <div class="row">
              <div>
                <label>${both(WORDS.name)}</label
                ><input name="name" value="${p.name}" required maxlength="64" />
              </div>
              <div>
                <label>${both(WORDS.phone)}</label
                ><input name="phone" value="${p.phone ?? ''}" inputmode="tel" maxlength="21" />
              </div>
              <div><label>${both(WORDS.role)}</label>${roleSelect('role', p.role)}</div>
            </div>
            <label
              ><input type="checkbox" name="disabled" value="1" ${p.disabled ? html` checked` : ''} />
              ${both(WORDS.disabled)}</label
            >
            <div class="row">
              <button class="secondary" name="do" value="save">${slash(WORDS.save)}</button>
              <button class="secondary" name="do" value="reset-password">
                ${slash(WORDS.resetPassword)}
              </button>
            </div>
          </form>`,
      )}
      <form class="action" method="post" action="/people">
        ${hidden(session.csrf)}
        <h2>${both(WORDS.addPerson)}</h2>
        <label for="new-id">${both(WORDS.personId)}</label
        ><input id="new-id" name="id" required pattern="[a-z0-9][a-z0-9-]{0,62}" autocapitalize="none" />
        <label for="new-name">${both(WORDS.name)}</label
        ><input id="new-name" name="name" required maxlength="64" />
        <label for="new-phone">${both(WORDS.phone)}</label
        ><input id="new-phone" name="phone" inputmode="tel" maxlength="21" />
        <label>${both(WORDS.role)}</label>${roleSelect('role', 'operator')}
        <button class="secondary" type="submit">${slash(WORDS.addPerson)}</button>
      </form>`,
  });
}
