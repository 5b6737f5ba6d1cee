import ExcelJS from 'exceljs';
import type { MonthlyReport } from '../report-model.js';
import { localDateTime } from '../period.js';
import { reportTables, type Cell, type CellFormat } from './tables.js';

const NUMBER_FORMATS: Record<Exclude<CellFormat, 'time'>, string> = {
  int: '0',
  dec1: '0.0',
  dec2: '0.00',
  dec3: '0.000',
  pct: '0.00%',
};

/** Short Chinese sheet names (Excel allows 31 characters); each sheet's title row says it in full, in both languages. */
const SHEET_NAMES: Record<string, string> = {
  summary: '概况',
  zones: '功能区用量',
  buildings: '建筑用量',
  tenants: '租户用量',
  meters: '表计',
  voltage: '电压合格率',
  frequency: '频率合格率',
  'water-quality': '水质合格率',
  availability: '供电供水可用性',
  'water-balance': '水平衡',
  alerts: '告警统计',
  completeness: '数据完整性',
  'data-events': '数据事件',
};

/**
 * The report as an Excel workbook (exceljs): one sheet per table, headers in Chinese
 * with English beneath, numbers as numbers (percentages as fractions with a % format,
 * moments as China-time text), so staff can sum and chart them.
 */
export async function renderXlsx(report: MonthlyReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'village-telemetry';
  workbook.created = new Date(report.generatedAtMs);
  for (const table of reportTables(report)) {
    const sheet = workbook.addWorksheet(SHEET_NAMES[table.id] ?? table.id);
    sheet.addRow([`${report.site.name} · ${table.zh}`, `${report.period.label} · ${table.en}`]).font = {
      bold: true,
    };
    if (table.note) sheet.addRow([table.note.zh, table.note.en]);
    const header = sheet.addRow(table.columns.map((col) => col.zh));
    header.font = { bold: true };
    sheet.addRow(table.columns.map((col) => col.en)).font = { italic: true, color: { argb: 'FF666666' } };
    for (const cells of table.rows) {
      const row = sheet.addRow(cells.map(cellValue));
      cells.forEach((cell, i) => {
        if (cell && typeof cell !== 'string' && cell.format !== 'time')
          row.getCell(i + 1).numFmt = NUMBER_FORMATS[cell.format];
      });
    }
    sheet.columns.forEach((column, i) => {
      const widest = Math.max(
        ...[table.columns[i]?.zh ?? '', table.columns[i]?.en ?? ''].map((t) => t.length * 2),
      );
      column.width = Math.min(48, Math.max(12, widest));
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function cellValue(cell: Cell): string | number | null {
  if (cell === undefined) return null;
  if (typeof cell === 'string') return cell;
  return cell.format === 'time' ? localDateTime(cell.value) : cell.value;
}
