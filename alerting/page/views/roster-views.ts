import { WEEKDAYS, type SiteRoster, type Shift } from '../../people/roster-schema.js';
import type { Person } from '../../people/person-schema.js';
import { roleAllows } from '../../people/person-schema.js';
import { html, type SafeHtml } from '../html.js';
import type { PageContext } from '../page-context.js';
import type { PageSession } from '../page-session.js';
import { ROSTER_WORDS, WEEKDAY_WORDS, WORDS, type Words } from '../page-words.js';
import { label, localTime } from './alert-views.js';
import { both, layout, slash } from './layout.js';

function names(ctx: PageContext, ids: readonly string[]): string {
  return ids.map((id) => ctx.people.get(id)?.name ?? `${id}?`).join('、') || '—';
}

function when(shift: Shift): string {
  return shift.dates
    ? shift.dates.join(', ')
    : (shift.days ?? []).map((d) => WEEKDAY_WORDS[d]?.zh ?? d).join(' ');
}

function shiftTable(ctx: PageContext, roster: SiteRoster | undefined): SafeHtml {
  const shifts = roster?.shifts ?? [];
  return html`<table class="shifts">
      <thead>
        <tr>
          <th>${both(ROSTER_WORDS.when)}</th>
          <th>${both(ROSTER_WORDS.from)}–${both(ROSTER_WORDS.to)}</th>
          <th>${both(ROSTER_WORDS.people)}</th>
        </tr>
      </thead>
      <tbody>
        ${shifts.map(
          (s) =>
            html`<tr>
              <td>${when(s)}</td>
              <td>${s.from}–${s.to}</td>
              <td>${names(ctx, s.people)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="meta">${both(ROSTER_WORDS.escalation)}：${names(ctx, roster?.escalation ?? [])}</p>`;
}

function peopleBoxes(name: string, people: readonly Person[], checked: readonly string[]): SafeHtml {
  return html`<div class="days">
    ${people.map(
      (p) =>
        html`<label
          ><input
            type="checkbox"
            name="${name}"
            value="${p.id}"
            ${checked.includes(p.id) ? html` checked` : ''}
          />
          ${p.name}</label
        >`,
    )}
  </div>`;
}

function shiftRow(index: number, shift: Shift | undefined, people: readonly Person[]): SafeHtml {
  const days = shift?.days ?? [];
  return html`<fieldset class="action shift" data-shift="${index}">
    <legend>${shift ? `#${index + 1}` : slash(ROSTER_WORDS.newShift)}</legend>
    <label>${both(ROSTER_WORDS.weekly)}</label>
    <div class="days">
      ${WEEKDAYS.map(
        (d) =>
          html`<label
            ><input
              type="checkbox"
              name="days_${index}"
              value="${d}"
              ${days.includes(d) ? html` checked` : ''}
            />
            ${WEEKDAY_WORDS[d]?.zh}</label
          >`,
      )}
    </div>
    <label>${both(ROSTER_WORDS.dates)}</label
    ><input name="dates_${index}" value="${shift?.dates?.join(', ') ?? ''}" />
    <div class="row">
      <div>
        <label>${both(ROSTER_WORDS.from)}</label
        ><input name="from_${index}" value="${shift?.from ?? '08:00'}" pattern="\\d\\d:\\d\\d" />
      </div>
      <div>
        <label>${both(ROSTER_WORDS.to)}</label
        ><input name="to_${index}" value="${shift?.to ?? '20:00'}" pattern="\\d\\d:\\d\\d" />
      </div>
    </div>
    <p class="meta">${both(ROSTER_WORDS.overnight)}</p>
    <label>${both(ROSTER_WORDS.people)}</label>${peopleBoxes(`people_${index}`, people, shift?.people ?? [])}
    ${shift ? html`<label><input type="checkbox" name="remove_${index}" value="1" /> ${both(ROSTER_WORDS.remove)}</label>` : ''}
  </fieldset>`;
}

/** Who is on duty now and the shifts of every site; admins edit a site's shifts in place. */
export function rosterPage(ctx: PageContext, session: PageSession, done?: Words, error?: string): SafeHtml {
  const admin = roleAllows(session.person.role, 'admin');
  const people = ctx.people.list().filter((p) => !p.disabled);
  const source = ctx.roster.source;
  const unknown = ctx.unknownOnRoster();
  return layout({
    title: WORDS.roster,
    session,
    body: html`${done ? html`<div class="notice" id="done">${both(done)}</div>` : ''}${
      error ? html`<div class="error" id="form-error">${both(WORDS.invalidInput)}<br />${error}</div>` : ''
    }${unknown.length > 0 ? html`<div class="banner" id="roster-unknown">${both(ROSTER_WORDS.unknown)}：${unknown.join(', ')}</div>` : ''}
    ${
      source
        ? html`<p class="meta" id="roster-source">
            ${
              source.updatedBy === 'config'
                ? both(ROSTER_WORDS.fromConfig)
                : html`${both(ROSTER_WORDS.editedBy)} ${label(ctx, source.updatedBy)}`
            }
            · ${localTime(source.updatedAt, ctx.utcOffsetMinutes)}
          </p>`
        : ''
    }
    ${ctx.sites.map((site) => {
      const roster = ctx.roster.site(site);
      const shifts = roster?.shifts ?? [];
      const onDuty = ctx.onDuty(site);
      return html`<section class="site" data-site="${site}">
        <h2>${ctx.siteName(site)}</h2>
        <p>${WORDS.onDuty.zh} <span class="en">${WORDS.onDuty.en}</span>：<b id="on-duty-${site}">${onDuty.map((p) => p.name).join('、') || WORDS.nobodyOnDuty.zh}</b></p>
        ${shiftTable(ctx, roster)}
        ${
          admin
            ? html`<form method="post" action="/roster/${site}" id="roster-form-${site}">
                <input type="hidden" name="_csrf" value="${session.csrf}" />
                <input type="hidden" name="rows" value="${shifts.length + 2}" />
                ${[...shifts, undefined, undefined].map((shift, i) => shiftRow(i, shift, people))}
                <fieldset class="action">
                  <legend>${both(ROSTER_WORDS.escalation)}</legend>
                  ${peopleBoxes('escalation', people, roster?.escalation ?? [])}
                </fieldset>
                <button class="secondary" type="submit">${slash(WORDS.save)}</button>
              </form>`
            : ''
        }
      </section>`;
    })}`,
  });
}
