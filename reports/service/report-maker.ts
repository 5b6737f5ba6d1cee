import { loadSite, type Site } from '../../site/index.js';
import type { InfluxAdminTarget } from '../../storage/index.js';
import { buildMonthlyReport } from '../build-report.js';
import type { RuleTitle } from '../compute/alert-classes.js';
import type { ReportPeriod } from '../period.js';
import { renderReport, reportFileName, type ReportFormat } from '../render/render-report.js';
import type { MonthlyReport } from '../report-model.js';
import { ruleTitles } from '../rule-titles.js';

export interface MadeReport {
  report: MonthlyReport;
  files: Array<{ format: ReportFormat; name: string; content: Buffer }>;
}

/** Builds a site's report for a period and renders it in each format asked for. */
export class ReportMaker {
  readonly sites: Site[];
  private readonly titles: Map<string, RuleTitle>;

  constructor(
    private readonly options: {
      target: InfluxAdminTarget;
      database: string;
      siteFiles: readonly string[];
      ruleFiles: readonly string[];
    },
  ) {
    this.sites = options.siteFiles.map((file) => loadSite(file));
    this.titles = ruleTitles(options.ruleFiles);
  }

  async make(site: Site, period: ReportPeriod, formats: readonly ReportFormat[]): Promise<MadeReport> {
    const report = await buildMonthlyReport(
      { target: this.options.target, database: this.options.database, site, ruleTitles: this.titles },
      period,
    );
    const files = [];
    for (const format of formats) {
      files.push({
        format,
        name: reportFileName(report, format),
        content: await renderReport(report, format),
      });
    }
    return { report, files };
  }
}
