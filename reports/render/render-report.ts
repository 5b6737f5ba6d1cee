import type { MonthlyReport } from '../report-model.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderPdf } from './pdf.js';
import { renderXlsx } from './xlsx.js';

export const REPORT_FORMATS = ['xlsx', 'csv', 'html', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

export async function renderReport(report: MonthlyReport, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'xlsx':
      return renderXlsx(report);
    case 'csv':
      return renderCsv(report);
    case 'html':
      return Buffer.from(renderHtml(report), 'utf8');
    case 'pdf':
      return renderPdf(renderHtml(report));
  }
}

/** `demo-village-2026-11.xlsx` */
export function reportFileName(report: MonthlyReport, format: ReportFormat): string {
  return `${report.site.id}-${report.period.label.replace(/[^0-9-]+/g, '_')}.${format}`;
}
