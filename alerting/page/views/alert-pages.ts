import type { Severity } from '../../../contracts/index.js';
import type { Delivery } from '../../notify/delivery-schema.js';
import { describeAlert } from '../../notify/alert-description.js';
import { CHANNEL_TYPE_NAMES } from '../../notify/channel-words.js';
import { roleAllows } from '../../people/person-schema.js';
import { html, type SafeHtml } from '../html.js';
import type { PageContext } from '../page-context.js';
import type { PageSession } from '../page-session.js';
import { durationWords, SILENCE_CHOICES_S, WORDS, type Words } from '../page-words.js';
import { alertCard, alertFacts, timeline, type AlertView } from './alert-views.js';
import { both, layout, slash } from './layout.js';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function bySeverityThenTime(a: AlertView, b: AlertView): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (b.firedAt ?? b.startedAt) - (a.firedAt ?? a.startedAt)
  );
}

function channelBanner(ctx: PageContext): SafeHtml | string {
  const failing = ctx.channels().filter((c) => c.failing);
  if (failing.length === 0) return '';
  return html`<div class="banner" id="channels-failing">
    <b>${both(WORDS.channelFailing)}</b>
    <ul>
      ${failing.map(
        (c) =>
          html`<li data-channel="${c.channelId}">${CHANNEL_TYPE_NAMES[c.channelType].zh} ${ctx.contactName(c.contactId)} (${c.channelId})${
            c.lastError ? html` — ${WORDS.lastError.zh}: ${c.lastError}` : ''
          }</li>`,
      )}
    </ul>
  </div>`;
}

function onDutyLine(ctx: PageContext, sites: readonly string[]): SafeHtml {
  return html`<p class="meta" id="on-duty">
    ${sites.map((site) => {
      const people = ctx.onDuty(site);
      return html`${ctx.siteName(site)}
      ${WORDS.onDuty.zh}：${
        people.length > 0
          ? people.map((p, i) => html`${i > 0 ? '、' : ''}<b>${p.name}</b>${p.phone ? ` ${p.phone}` : ''}`)
          : WORDS.nobodyOnDuty.zh
      } `;
    })}
  </p>`;
}

/** What is firing now, by zone, most severe first; then what is pending and what resolved lately. */
export function alertListPage(ctx: PageContext, session: PageSession, sites: readonly string[]): SafeHtml {
  const engine = ctx.engine();
  const view = (alerts: ReturnType<typeof engine.alerts>): AlertView[] =>
    alerts.map((a) => ({ ...a, silenced: engine.isSilenced(a) }));
  const firing = view(engine.alerts({ state: 'firing' })).sort(bySeverityThenTime);
  const pending = view(engine.alerts({ state: 'pending' })).sort(bySeverityThenTime);
  const since = ctx.now() - 24 * 3600_000;
  const resolved = view(engine.alerts({ state: 'resolved' }))
    .filter((a) => (a.resolvedAt ?? 0) >= since)
    .slice(0, 20);

  const zones = new Map<string, { name: Words; alerts: AlertView[] }>();
  for (const alert of firing) {
    const key = `${alert.site}/${alert.zone}`;
    const zone = zones.get(key) ?? { name: describeAlert(alert, ctx.describe).zone, alerts: [] };
    zone.alerts.push(alert);
    zones.set(key, zone);
  }
  const counts = (['critical', 'warning', 'info'] as const)
    .map((s) => [s, firing.filter((a) => a.severity === s).length] as const)
    .filter(([, n]) => n > 0);

  return layout({
    title: WORDS.firingNow,
    session,
    refreshS: 30,
    body: html`${channelBanner(ctx)}${onDutyLine(ctx, sites)}
    ${
      firing.length === 0
        ? html`<div class="notice" id="nothing-firing">${both(WORDS.nothingFiring)}</div>`
        : html`<p id="counts">
              ${counts.map(([severity, n]) => html`<span class="badge ${severity}">${n}</span>`)}
            </p>
            ${[...zones.values()].map(
              (zone) =>
                html`<section class="zone">
                  <h2>${both(zone.name)}</h2>
                  ${zone.alerts.map((a) => alertCard(a, ctx))}
                </section>`,
            )}`
    }
    ${
      pending.length > 0
        ? html`<h2>${both(WORDS.pending)}</h2>
            ${pending.map((a) => alertCard(a, ctx))}`
        : ''
    }
    ${
      resolved.length > 0
        ? html`<h2>${both(WORDS.recentlyResolved)}</h2>
            ${resolved.map((a) => alertCard(a, ctx))}`
        : ''
    }`,
  });
}

function hidden(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}" />`;
}

export function ackForm(action: string, csrf: string): SafeHtml {
  return html`<form class="action" id="ack-form" method="post" action="${action}">
    ${hidden(csrf)}
    <label for="ack-comment">${both(WORDS.ackComment)}</label>
    <textarea id="ack-comment" name="comment" maxlength="2000"></textarea>
    <button class="primary" id="ack-button" type="submit">${slash(WORDS.acknowledge)}</button>
  </form>`;
}

function silenceForm(alert: AlertView, session: PageSession, maxS: number): SafeHtml {
  const allowed = alert.severity !== 'critical' || roleAllows(session.person.role, 'admin');
  if (!allowed)
    return html`<p class="meta" id="silence-admin-only">${both(WORDS.silenceCriticalAdminOnly)}</p>`;
  return html`<form
    class="action"
    id="silence-form"
    method="post"
    action="/alerts/${encodeURIComponent(alert.id)}/silence"
  >
    ${hidden(session.csrf)}
    <label for="silence-duration">${both(WORDS.silenceFor)}</label>
    <select id="silence-duration" name="durationS">
      ${SILENCE_CHOICES_S.filter((s) => s <= maxS).map(
        (s) => html`<option value="${s}">${slash(durationWords(s))}</option>`,
      )}
    </select>
    <label for="silence-comment">${both(WORDS.comment)}</label>
    <input id="silence-comment" name="comment" maxlength="2000" />
    <button class="secondary" type="submit">${slash(WORDS.silence)}</button>
  </form>`;
}

function noteForm(alert: AlertView, csrf: string): SafeHtml {
  return html`<form
    class="action"
    id="note-form"
    method="post"
    action="/alerts/${encodeURIComponent(alert.id)}/note"
  >
    ${hidden(csrf)}
    <label for="note-text">${both(WORDS.note)}</label>
    <textarea id="note-text" name="text" required maxlength="2000"></textarea>
    <button class="secondary" type="submit">${slash(WORDS.addNote)}</button>
  </form>`;
}

export const DONE_WORDS = WORDS.done;

/** One alert: the facts, the buttons the person may press, and what happened so far. */
export function alertDetailPage(
  ctx: PageContext,
  session: PageSession,
  alert: AlertView,
  deliveries: readonly Delivery[],
  done?: Words,
  error?: Words,
): SafeHtml {
  const d = describeAlert(alert, ctx.describe);
  const mayAct = roleAllows(session.person.role, 'operator');
  const open = alert.state !== 'resolved';
  return layout({
    title: d.title,
    session,
    body: html`${done ? html`<div class="notice" id="done">${both(done)}</div>` : ''}${
      error ? html`<div class="error" id="form-error">${both(error)}</div>` : ''
    }
      ${alertFacts(alert, ctx)}
      ${
        mayAct
          ? html`${open && !alert.ack ? ackForm(`/alerts/${encodeURIComponent(alert.id)}/ack`, session.csrf) : ''}${
              open ? silenceForm(alert, session, ctx.maxSilenceS) : ''
            }${noteForm(alert, session.csrf)}`
          : html`<p class="meta" id="read-only">${both(WORDS.viewerReadOnly)}</p>`
      }
      <h2>${both(WORDS.timeline)}</h2>
      ${timeline(alert, deliveries, ctx)}`,
  });
}
