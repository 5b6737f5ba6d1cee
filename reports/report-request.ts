import { z } from 'zod';
import type { Site } from '../site/index.js';
import { periodInputSchema, reportPeriod, type ReportPeriod } from './period.js';
import { REPORT_FORMATS, type ReportFormat } from './render/render-report.js';

/** What the CLI and the API both take: a site by id, a month or a range, a format. */
export const reportRequestSchema = z
  .object({
    site: z.string().regex(/^[a-z0-9-]{1,64}$/, 'a site id such as demo-village'),
    format: z.enum(REPORT_FORMATS).default('xlsx'),
  })
  .and(periodInputSchema);
export type ReportRequest = z.infer<typeof reportRequestSchema>;

export interface ResolvedRequest {
  site: Site;
  period: ReportPeriod;
  format: ReportFormat;
}

/** Finds the site among the configured site files; a coded message when it is not there. */
export function resolveRequest(request: ReportRequest, sites: readonly Site[]): ResolvedRequest {
  const site = sites.find((s) => s.site.id === request.site);
  if (!site) {
    throw new Error(
      `未知站点 / unknown site "${request.site}"; known: ${sites.map((s) => s.site.id).join(', ')}`,
    );
  }
  return { site, period: reportPeriod(request), format: request.format };
}
