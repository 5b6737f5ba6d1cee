import type { Alert } from '../../engine/alert-schema.js';
import { describeAlert, formatTime } from '../../notify/alert-description.js';
import { CHANNEL_TYPE_NAMES } from '../../notify/channel-words.js';
import type { Delivery } from '../../notify/delivery-schema.js';
import { actorLabel } from '../../people/actor.js';
import { html, type SafeHtml } from '../html.js';
import type { PageContext } from '../page-context.js';
import { SEVERITY_WORDS, STATE_WORDS, TIMELINE_WORDS, WORDS, type Words } from '../page-words.js';
import { both } from './layout.js';

export type AlertView = Alert & { silenced: boolean };

/** "2025-06-01 20:00" in site time. */
export function localTime(ts: number, utcOffsetMinutes: number): string {
  return formatTime(ts, utcOffsetMinutes).slice(0, 16);
}

export function label(ctx: PageContext, actor: string): string {
  return actorLabel(actor, (id) => ctx.people.get(id));
}

export function badges(alert: AlertView, ctx: PageContext): SafeHtml {
  const severity = SEVERITY_WORDS[alert.severity];
  const state = STATE_WORDS[alert.state];
  return html`<span class="badge ${alert.severity}">${severity.zh} ${severity.en}</span
    ><span class="badge ${alert.state === 'resolved' ? 'ok' : 'muted'}">${state.zh} ${state.en}</span>${
      alert.ack
        ? html`<span class="badge muted">${WORDS.acknowledgedBy.zh}：${label(ctx, alert.ack.by)}</span>`
        : ''
    }${alert.silenced ? html`<span class="badge muted">${WORDS.silenced.zh} ${WORDS.silenced.en}</span>` : ''}`;
}

/** One alert in the list: what, where, since when; the whole card opens the alert. */
export function alertCard(alert: AlertView, ctx: PageContext): SafeHtml {
  const d = describeAlert(alert, ctx.describe);
  const where = [d.place.zh, (d.device ?? d.gateway)?.name.zh].filter(Boolean).join(' · ');
  return html`<a
    class="card ${alert.state === 'resolved' ? 'resolved' : alert.severity}"
    href="/alerts/${encodeURIComponent(alert.id)}"
    data-alert="${alert.id}"
    data-rule="${alert.ruleId}"
  >
    <div>${badges(alert, ctx)}</div>
    <div class="title">${both(d.title)}</div>
    <div class="meta">
      ${where}${d.value ? html` · ${d.value}${d.threshold ? html` (${WORDS.limit.zh} ${d.threshold})` : ''}` : ''}
    </div>
    <div class="meta">
      ${WORDS.since.zh}
      ${localTime(alert.firedAt ?? alert.startedAt, ctx.utcOffsetMinutes)}${
        alert.resolvedAt !== undefined
          ? html` · ${WORDS.resolvedAt.zh} ${localTime(alert.resolvedAt, ctx.utcOffsetMinutes)}`
          : ''
      }
    </div>
  </a>`;
}

/** A device or gateway as the site file names it, in both languages, its id beside for the technician. */
function namesAndId(named: { name: Words; id: string }): SafeHtml {
  return html`${both(named.name)} (${named.id})`;
}

function fact(words: Words, value: SafeHtml | string | undefined): SafeHtml | string {
  return value === undefined || value === ''
    ? ''
    : html`<dt>${both(words)}</dt>
        <dd>${value}</dd>`;
}

/** What, where, value and limit, clause, times and who acknowledged. */
export function alertFacts(alert: AlertView, ctx: PageContext): SafeHtml {
  const d = describeAlert(alert, ctx.describe);
  const t = (ts: number | undefined) => (ts === undefined ? undefined : formatTime(ts, ctx.utcOffsetMinutes));
  return html`<dl class="facts">
    ${fact(WORDS.what, both(d.title))}
    ${fact(WORDS.state, badges(alert, ctx))}
    ${fact(WORDS.zone, both(d.zone))}
    ${fact(WORDS.building, d.building ? both(d.building) : undefined)}
    ${fact(WORDS.device, d.device ? namesAndId(d.device) : undefined)}
    ${fact(WORDS.gateway, d.gateway ? namesAndId(d.gateway) : undefined)}
    ${fact(WORDS.value, d.value)}
    ${fact(WORDS.limit, d.value !== undefined ? d.threshold : undefined)}
    ${fact(
      WORDS.detail,
      d.detail
        ? html`${d.detail.zh}${d.detail.en !== d.detail.zh ? html`<br /><span class="en">${d.detail.en}</span>` : ''}`
        : undefined,
    )}
    ${fact(WORDS.occurrences, alert.occurrences > 1 ? String(alert.occurrences) : undefined)}
    ${fact(WORDS.clause, d.clause)} ${fact(WORDS.since, t(alert.firedAt ?? alert.startedAt))}
    ${fact(WORDS.resolvedAt, t(alert.resolvedAt))}
    ${fact(
      WORDS.acknowledgedBy,
      alert.ack
        ? html`${label(ctx, alert.ack.by)} ·
          ${t(alert.ack.at)}${alert.ack.comment ? html`<br />${alert.ack.comment}` : ''}`
        : undefined,
    )}
    ${fact(WORDS.alertId, alert.id)}
  </dl>`;
}

interface TimelineItem {
  at: number;
  what: Words;
  by?: string;
  detail?: string;
}

/** The alert's own timeline with every delivery of its notifications, oldest first. */
export function timeline(alert: AlertView, deliveries: readonly Delivery[], ctx: PageContext): SafeHtml {
  const items: TimelineItem[] = alert.timeline.map((entry) => ({
    at: entry.at,
    what: TIMELINE_WORDS[entry.type],
    ...(entry.by ? { by: label(ctx, entry.by) } : {}),
    ...(entry.detail && entry.type !== 'firing' ? { detail: entry.detail } : {}),
  }));
  for (const delivery of deliveries) {
    const channel = CHANNEL_TYPE_NAMES[delivery.channelType];
    const to = `${channel.zh} ${ctx.contactName(delivery.contactId)}（${delivery.reason}）`;
    if (delivery.status === 'delivered' && delivery.deliveredAt !== undefined)
      items.push({ at: delivery.deliveredAt, what: WORDS.delivered, detail: to });
    else if (delivery.status === 'superseded') {
      const acknowledged = delivery.supersededBecause === 'alert-acknowledged';
      const why = acknowledged
        ? WORDS.supersededAcknowledged
        : delivery.reason === 'escalation'
          ? WORDS.supersededEscalation
          : WORDS.supersededReminder;
      items.push({
        at: delivery.updatedAt,
        what: acknowledged ? WORDS.deliverySupersededByAck : WORDS.deliverySuperseded,
        detail: `${to}: ${why.zh} (${why.en})`,
      });
    } else if (delivery.lastError)
      items.push({
        at: delivery.updatedAt,
        what: WORDS.deliveryFailing,
        detail: `${to} × ${delivery.attempts}: ${delivery.lastError}`,
      });
    else items.push({ at: delivery.createdAt, what: WORDS.deliveryPending, detail: to });
  }
  items.sort((a, b) => a.at - b.at);
  return html`<ol class="timeline">
    ${items.map(
      (item) =>
        html`<li>
          <time>${formatTime(item.at, ctx.utcOffsetMinutes)}</time>${both(item.what)}${
            item.by ? html` · <b>${item.by}</b>` : ''
          }${item.detail ? html`<div class="meta">${item.detail}</div>` : ''}
        </li>`,
    )}
  </ol>`;
}
