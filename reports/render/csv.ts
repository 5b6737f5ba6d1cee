import type { MonthlyReport } from '../report-model.js';
import { cellText, reportTables } from './tables.js';

function field(text: string): string {
  // a cell starting with = + - @ would be a formula to a spreadsheet: quote it as text
  const safe = /^[=+\-@]/.test(text) && !/^-?[0-9.]+$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The report as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese): each
 * table under a title line, its header in Chinese / English, a blank line after it.
 */
export function renderCsv(report: MonthlyReport): Buffer {
  const lines: string[] = [];
  for (const table of reportTables(report)) {
    lines.push([`${table.zh} / ${table.en}`, report.site.name, report.period.label].map(field).join(','));
    lines.push(table.columns.map((c) => field(`${c.zh} / ${c.en}`)).join(','));
    for (const row of table.rows) lines.push(row.map((cell) => field(cellText(cell))).join(','));
    lines.push('');
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}`, 'utf8');
}
