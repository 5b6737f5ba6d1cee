export * from './report-model.js';
export * from './period.js';
export * from './standards.js';
export { buildMonthlyReport, type ReportInputs } from './build-report.js';
export { ruleTitles } from './rule-titles.js';
export type { RuleTitle } from './compute/alert-classes.js';
export {
  renderReport,
  reportFileName,
  REPORT_FORMATS,
  CONTENT_TYPES,
  type ReportFormat,
} from './render/render-report.js';
export { reportTables, type ReportTable } from './render/tables.js';
export { reportsConfigSchema, loadReportsConfig, REPORTS_ENV_MAP, type ReportsConfig } from './config.js';
export { ReportsService } from './service/reports-service.js';
export { createReports, startReports } from './service/start-reports.js';
