import nodemailer from 'nodemailer';
import { z } from 'zod';
import { readPrivateJsonFile, writePrivateJsonFile, type Logger } from '../../runtime/index.js';
import { previousMonth, reportPeriod } from '../period.js';
import { REPORT_UTC_OFFSET_MS } from '../standards.js';
import type { ReportMaker } from './report-maker.js';

export interface MailOptions {
  to: readonly string[];
  from: string;
  smtpHost: string;
  smtpPort: number;
  smtpUser?: string | undefined;
  smtpPassword?: string | undefined;
  hour: number;
  stateFile: string;
}

/** The next 1st-of-the-month at `hour`, China time, strictly after `nowMs`. */
export function nextMonthlyRun(nowMs: number, hour: number): number {
  const local = new Date(nowMs + REPORT_UTC_OFFSET_MS);
  const thisMonth = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1, hour) - REPORT_UTC_OFFSET_MS;
  if (thisMonth > nowMs) return thisMonth;
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1, hour) - REPORT_UTC_OFFSET_MS;
}

/**
 * The latest month whose report is due at `nowMs`: last month once this month's send
 * time has passed, the month before until then.
 */
export function dueMonth(nowMs: number, hour: number): string {
  const local = new Date(nowMs + REPORT_UTC_OFFSET_MS);
  const monthStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - REPORT_UTC_OFFSET_MS;
  return nowMs >= monthStart + hour * 3_600_000 ? previousMonth(nowMs) : previousMonth(monthStart - 1);
}

const RETRY_MS = 15 * 60_000;

/** `site/month` → when it went out. */
/** Format 1; a file from before the version field is format 1 too and gets it at the next save. */
const mailStateSchema = z.strictObject({
  version: z.literal(1).default(1),
  sent: z.record(z.string(), z.number()),
});
/** setTimeout holds at most ~24.8 days; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sends last month's report (PDF and XLSX attached) to the configured list on the 1st of
 * each month, once per site and month: the months sent are kept in a state file, so a
 * restart never sends twice and a box that was off on the 1st sends when it comes back.
 */
export class MonthlyMailer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly maker: ReportMaker,
    private readonly options: MailOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly onSent: (site: string) => void = () => undefined,
  ) {}

  start(): void {
    if (this.options.to.length === 0) return;
    this.running = true;
    this.arm(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends `month` for every site not yet sent; returns the sites sent now. */
  async sendDue(month: string): Promise<string[]> {
    const state = (await readPrivateJsonFile(
      this.options.stateFile,
      mailStateSchema,
      'report mail state',
    )) ?? {
      version: 1 as const,
      sent: {},
    };
    const sent: string[] = [];
    const transport = nodemailer.createTransport({
      host: this.options.smtpHost,
      port: this.options.smtpPort,
      secure: this.options.smtpPort === 465,
      ...(this.options.smtpUser
        ? { auth: { user: this.options.smtpUser, pass: this.options.smtpPassword ?? '' } }
        : {}),
    });
    for (const site of this.maker.sites) {
      const key = `${site.site.id}/${month}`;
      if (state.sent[key]) continue;
      const made = await this.maker.make(site, reportPeriod({ month }), ['pdf', 'xlsx']);
      const info = await transport.sendMail({
        from: this.options.from,
        to: [...this.options.to],
        subject: `${site.site.name} ${month} 运行月报 / ${site.site.name_en} operations report ${month}`,
        text:
          `${site.site.name} ${month} 运行统计报表见附件（PDF 便于打印，XLSX 便于统计）。\n` +
          `The ${month} operations report of ${site.site.name_en} is attached (PDF to print, XLSX to work with).\n`,
        attachments: made.files.map((f) => ({ filename: f.name, content: f.content })),
      });
      if (info.rejected.length > 0) {
        this.logger.warn(
          { site: site.site.id, month, rejected: info.rejected.length },
          'monthly report refused by some recipients',
        );
      }
      state.sent[key] = this.now();
      await writePrivateJsonFile(this.options.stateFile, state);
      sent.push(site.site.id);
      this.onSent(site.site.id);
      this.logger.info(
        { site: site.site.id, month, recipients: info.accepted.length },
        'monthly report sent',
      );
    }
    return sent;
  }

  private arm(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), Math.min(delayMs, MAX_TIMER_MS));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const now = this.now();
    const month = dueMonth(now, this.options.hour);
    try {
      await this.sendDue(month);
      this.arm(nextMonthlyRun(now, this.options.hour) - now);
    } catch (error) {
      this.logger.error(
        { err: (error as Error).message, month },
        '月报发送失败 / monthly report not sent; retrying',
      );
      this.arm(RETRY_MS);
    }
  }
}
