import { Agent, request } from 'node:http';

/**
 * The storage ceiling's load: line protocol straight to `POST /write` over
 * keep-alive connections, `writers` requests in flight, until `shouldContinue` says stop.
 */
export class RawLineWriter {
  written = 0;
  private readonly agent: Agent;

  constructor(
    private readonly url: string,
    private readonly database: string,
    private readonly writers: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: writers });
  }

  async run(nextBody: () => { body: Buffer; points: number }, shouldContinue: () => boolean): Promise<void> {
    await Promise.all(
      Array.from({ length: this.writers }, async () => {
        while (shouldContinue()) {
          const { body, points } = nextBody();
          await this.post(body);
          this.written += points;
        }
      }),
    );
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: Buffer): Promise<void> {
    const target = new URL(`/write?db=${encodeURIComponent(this.database)}&precision=ms`, this.url);
    return new Promise((resolve, reject) => {
      const req = request(target, { method: 'POST', agent: this.agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 204 ? resolve() : reject(new Error(`/write answered ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
