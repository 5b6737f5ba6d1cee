import { z } from 'zod';
import type { Component, Logger } from '../../runtime/index.js';
import type { PlatformConfig } from '../config/edge-config-schema.js';

const feedbackSchema = z.object({
  now: z.number(),
  rejections: z.array(
    z.object({
      code: z.string(),
      device: z.string().optional(),
      count: z.number(),
      lastTs: z.number(),
      reason: z.string(),
    }),
  ),
});
export type PlatformRejection = z.infer<typeof feedbackSchema>['rejections'][number];

/** The gateway's last word from the platform. */
export interface PlatformState {
  url: string;
  reachable: boolean | undefined;
  checkedAt: number | undefined;
  /** Platform clock minus ours, ms (half the round trip is allowed for): positive when we are behind. */
  clockOffsetMs: number | undefined;
  rejections: PlatformRejection[];
  error: string | undefined;
}

/** Asks the platform once; never throws. */
export async function fetchPlatformFeedback(
  config: PlatformConfig,
  timeoutMs = 10_000,
): Promise<PlatformState> {
  const url = new URL('/api/gateway/feedback', config.url).toString();
  const base = { url: config.url, rejections: [], clockOffsetMs: undefined };
  const sent = Date.now();
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${config.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const received = Date.now();
    if (!response.ok) {
      return { ...base, reachable: true, checkedAt: received, error: `HTTP ${response.status}` };
    }
    const feedback = feedbackSchema.parse(await response.json());
    return {
      url: config.url,
      reachable: true,
      checkedAt: received,
      clockOffsetMs: Math.round(feedback.now - (sent + received) / 2),
      rejections: feedback.rejections,
      error: undefined,
    };
  } catch (error) {
    return { ...base, reachable: false, checkedAt: Date.now(), error: (error as Error).message };
  }
}

/** Polls the platform's gateway API every `pollS` for the status page. */
export class PlatformFeedback implements Component {
  private timer: NodeJS.Timeout | undefined;
  private current: PlatformState;
  private running: Promise<void> | undefined;

  constructor(
    private readonly config: PlatformConfig,
    private readonly logger: Logger,
  ) {
    this.current = {
      url: config.url,
      reachable: undefined,
      checkedAt: undefined,
      clockOffsetMs: undefined,
      rejections: [],
      error: undefined,
    };
  }

  get state(): PlatformState {
    return this.current;
  }

  async start(): Promise<void> {
    this.poll();
    this.timer = setInterval(() => this.poll(), this.config.pollS * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private poll(): void {
    if (this.running) return;
    this.running = fetchPlatformFeedback(this.config)
      .then((state) => {
        if (state.error && state.error !== this.current.error) {
          this.logger.warn({ url: state.url, error: state.error }, 'platform feedback unavailable');
        }
        this.current = state;
      })
      .finally(() => {
        this.running = undefined;
      });
  }
}
