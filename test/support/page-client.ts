/**
 * A browser stand-in for the operators' page over real HTTP: keeps cookies, reads the
 * CSRF token of the last page's form, posts forms, never follows redirects on its own.
 */
export class PageClient {
  private readonly cookies = new Map<string, string>();
  lastBody = '';

  constructor(readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** The `_csrf` value of the first form on the last page. */
  csrf(): string {
    const match = /name="_csrf" value="([^"]*)"/.exec(this.lastBody);
    if (!match?.[1]) throw new Error('no CSRF token on the last page');
    return match[1];
  }

  async get(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string; headers: Headers }> {
    return this.request('GET', path, undefined, headers);
  }

  async post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string; headers: Headers }> {
    return this.request('POST', path, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
  }

  /** GET /login, post the form with its token; true when the page let us in. */
  async login(login: string, password: string): Promise<boolean> {
    await this.get('/login');
    const answer = await this.post('/login', { _csrf: this.csrf(), login, password, next: '/' });
    return answer.status === 303;
  }

  private async request(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    if (method === 'GET' || response.status < 300 || response.status >= 400) this.lastBody = text;
    return { status: response.status, body: text, headers: response.headers };
  }
}
