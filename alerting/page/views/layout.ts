import type { Person } from '../../people/person-schema.js';
import { roleAllows } from '../../people/person-schema.js';
import { html, type SafeHtml } from '../html.js';
import { ROLE_WORDS, WORDS, type Words } from '../page-words.js';

/** "中文 English": the Chinese first, the English beside it, smaller. */
export function both(words: Words): SafeHtml {
  return html`${words.zh} <span class="en">${words.en}</span>`;
}

/** One line: "中文 / English" (for attributes and buttons). */
export function slash(words: Words): string {
  return `${words.zh} / ${words.en}`;
}

export interface LayoutOptions {
  title: Words;
  body: SafeHtml;
  /** The logged-in person and their form token, for the header and the log-out button. */
  session?: { person: Person; csrf: string } | undefined;
  /** Reload every so many seconds (the alert list). */
  refreshS?: number;
}

export function layout(options: LayoutOptions): SafeHtml {
  const { session } = options;
  const person = session?.person;
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        ${options.refreshS ? html`<meta http-equiv="refresh" content="${options.refreshS}" />` : ''}
        <title>${options.title.zh} · ${WORDS.appName.zh}</title>
        <link rel="stylesheet" href="/assets/page.css" />
      </head>
      <body>
        <header>
          <a href="/"><b>${WORDS.appName.zh}</b></a>
          ${
            person
              ? html`<nav>
                    <a href="/">${WORDS.alerts.zh}</a><a href="/roster">${WORDS.roster.zh}</a>${
                      roleAllows(person.role, 'admin') ? html`<a href="/people">${WORDS.people.zh}</a>` : ''
                    }<a href="/account">${WORDS.account.zh}</a>
                  </nav>
                  <span class="who"
                    >${person.name} · ${ROLE_WORDS[person.role].zh}
                    <form method="post" action="/logout">
                      <input type="hidden" name="_csrf" value="${session?.csrf}" /><button>
                        ${WORDS.logout.zh}
                      </button>
                    </form></span
                  >`
              : ''
          }
        </header>
        <main>
          <h1>${both(options.title)}</h1>
          ${options.body}
        </main>
      </body>
    </html>`;
}

/** A page that only says what went wrong and where to go instead. */
export function messagePage(
  title: Words,
  why: Words | undefined,
  session?: LayoutOptions['session'],
): SafeHtml {
  return layout({
    title,
    session,
    body: html`${why ? html`<div class="error">${both(why)}</div>` : ''}
      <p><a href="/">${both(WORDS.back)}</a></p>`,
  });
}
