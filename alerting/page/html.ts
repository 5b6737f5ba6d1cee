import { escapeHtml } from '../../runtime/index.js';

/** Markup built by `html`; anything else interpolated into `html` is text and gets escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | undefined | null | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * The page's only way to make markup: every interpolated value is escaped (as text,
 * or inside a quoted attribute), unless it is itself `html`. No value reaches the page
 * unescaped, whoever typed it: people's names and comments, robots' errors, site names.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}
