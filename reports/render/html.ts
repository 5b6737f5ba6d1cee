import { escapeHtml } from '../../runtime/index.js';
import type { MonthlyReport } from '../report-model.js';
import { localDateTime } from '../period.js';
import { cellText, reportTables, type Cell } from './tables.js';

const STYLE = `
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 9pt; color: #111; margin: 0; }
header { border-bottom: 2px solid #1f4e79; margin-bottom: 6mm; padding-bottom: 2mm; }
h1 { font-size: 16pt; margin: 0 0 1mm 0; color: #1f4e79; }
h1 .en, h2 .en, th .en { font-weight: normal; color: #555; }
h1 .en { font-size: 10pt; display: block; }
.meta { color: #444; font-size: 8.5pt; }
section { break-inside: auto; margin-bottom: 5mm; }
h2 { font-size: 11pt; margin: 0 0 1.5mm 0; border-left: 3px solid #1f4e79; padding-left: 2mm; break-after: avoid; }
h2 .en { font-size: 9pt; }
p.note { margin: 0 0 1.5mm 0; color: #444; font-size: 8pt; }
table { width: 100%; border-collapse: collapse; font-size: 8pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.5pt solid #999; padding: 1mm 1.2mm; vertical-align: top; }
th { background: #e8eef5; text-align: left; }
th .en { display: block; font-size: 7pt; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.empty { color: #999; }
footer { margin-top: 4mm; font-size: 7.5pt; color: #666; }
`;

function cellHtml(cell: Cell): string {
  const text = cellText(cell);
  if (text === '') return '<td class="empty">—</td>';
  const numeric = cell !== undefined && typeof cell !== 'string' && cell.format !== 'time';
  const shown = numeric && cell.format === 'pct' ? `${text} %` : text;
  return `<td${numeric ? ' class="num"' : ''}>${escapeHtml(shown)}</td>`;
}

/**
 * The report as one printable A4 page (Chinese first, English beside): no scripts, no
 * external assets, every value escaped; headless Chromium prints it to PDF (pdf.ts).
 */
export function renderHtml(report: MonthlyReport): string {
  const sections = reportTables(report)
    .map((table) => {
      const head = table.columns
        .map((c) => `<th>${escapeHtml(c.zh)}<span class="en">${escapeHtml(c.en)}</span></th>`)
        .join('');
      const body = table.rows.map((row) => `<tr>${row.map(cellHtml).join('')}</tr>`).join('\n');
      const note = table.note
        ? `<p class="note">${escapeHtml(table.note.zh)} ${escapeHtml(table.note.en)}</p>`
        : '';
      return `<section id="${escapeHtml(table.id)}">
<h2>${escapeHtml(table.zh)} <span class="en">${escapeHtml(table.en)}</span></h2>
${note}
<table><thead><tr>${head}</tr></thead><tbody>
${body || `<tr><td class="empty" colspan="${table.columns.length}">无 / none</td></tr>`}
</tbody></table>
</section>`;
    })
    .join('\n');
  const title = `${report.site.name} 运行月报 ${report.period.label}`;
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(report.site.name)} · 运行统计报表<span class="en">${escapeHtml(report.site.name_en)} · Operations report</span></h1>
<div class="meta">统计期 Period: ${escapeHtml(report.period.label)}（${escapeHtml(localDateTime(report.period.fromMs))} – ${escapeHtml(localDateTime(report.period.toMs))}，北京时间 China time）· 生成 Generated ${escapeHtml(localDateTime(report.generatedAtMs))}</div>
</header>
${sections}
<footer>依据《乡村创客社区建设指南》9.2.7 定期统计 · Regular statistics per guideline 9.2.7. 电压 GB/T 12325-2008，频率 GB/T 15945-2008，水质 GB 5749-2022。</footer>
</body>
</html>
`;
}
