import type { Delivery } from '../../notify/delivery-schema.js';
import { describeAlert } from '../../notify/alert-description.js';
import { html, type SafeHtml } from '../html.js';
import type { PageContext } from '../page-context.js';
import { WORDS, type Words } from '../page-words.js';
import { alertFacts, label, timeline, type AlertView } from './alert-views.js';
import { ackForm } from './alert-pages.js';
import { both, layout } from './layout.js';

/**
 * An alert opened from a notification's link, without logging in: the facts, the
 * acknowledge button when the link is an acknowledge link that may still act, and
 * what happened so far. Nothing else is reachable from it.
 */
export function linkAlertPage(
  ctx: PageContext,
  alert: AlertView,
  deliveries: readonly Delivery[],
  options: { actor: string; ack?: { action: string; csrf: string }; notice?: Words; done?: Words },
): SafeHtml {
  const d = describeAlert(alert, ctx.describe);
  return layout({
    title: d.title,
    body: html`${options.done ? html`<div class="notice" id="done">${both(options.done)}</div>` : ''}${
      options.notice ? html`<div class="notice" id="link-notice">${both(options.notice)}</div>` : ''
    }
      <p class="meta" id="link-for">${WORDS.linkFor.zh}：${label(ctx, options.actor)}</p>
      ${options.ack ? ackForm(options.ack.action, options.ack.csrf) : ''} ${alertFacts(alert, ctx)}
      <p class="meta">
        <a href="/login?next=${encodeURIComponent(`/alerts/${alert.id}`)}">${both(WORDS.loginToAct)}</a>
      </p>
      <h2>${both(WORDS.timeline)}</h2>
      ${timeline(alert, deliveries, ctx)}`,
  });
}
