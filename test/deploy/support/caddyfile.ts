import { readFileSync } from 'node:fs';

export interface CaddySite {
  /** The site address with `{$NAME:default}` placeholders at their defaults, e.g. `:443`. */
  address: string;
  port: number;
  tls: boolean;
  /** `reverse_proxy` upstreams as `host:port`. */
  upstreams: string[];
}

/** `{$NAME:default}` → default (`{$NAME}` → ''), as Caddy fills them when NAME is unset. */
export function withDefaults(text: string): string {
  return text.replace(
    /\{\$[A-Za-z_][A-Za-z0-9_]*(?::([^}]*))?\}/g,
    (_whole, fallback: string | undefined) => fallback ?? '',
  );
}

/**
 * The sites of a Caddyfile (top-level blocks other than the global options block), read
 * the way the compose stack runs it: placeholders at their defaults. Enough Caddyfile for
 * the compose checks: addresses, whether `tls` is set, and `reverse_proxy` targets.
 */
export function caddySites(file: string): CaddySite[] {
  const lines = withDefaults(readFileSync(file, 'utf8'))
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim());
  const sites: CaddySite[] = [];
  let depth = 0;
  let current: CaddySite | undefined;
  for (const line of lines) {
    if (line === '') continue;
    if (depth === 0 && line.endsWith('{')) {
      const address = line.slice(0, -1).trim();
      if (address !== '') {
        const port = Number(/:(\d+)$/.exec(address)?.[1] ?? (address.startsWith('http://') ? 80 : 443));
        current = { address, port, tls: false, upstreams: [] };
        sites.push(current);
      }
    } else if (depth === 1 && current) {
      const [directive, ...args] = line.split(/\s+/);
      if (directive === 'tls') current.tls = true;
      if (directive === 'reverse_proxy') current.upstreams.push(...args.filter((a) => a !== '{'));
    }
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
    if (depth === 0) current = undefined;
  }
  return sites;
}
