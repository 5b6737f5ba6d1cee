import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { expect, it } from 'vitest';
import { projectFile } from '../../runtime/index.js';
import { renderReport, type MonthlyReport } from '../index.js';

/** Page images of the printed report, for people to look at; git-ignored. */
export const ARTEFACTS = projectFile('test-artifacts/reports');

/** Checks each output format of a report built from the seeded month (monthly-report.test.ts). */
export function checkRenderings(report: () => MonthlyReport): void {
  it('writes an XLSX that a reader opens with a sheet per table and the figures as numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderReport(report(), 'xlsx')) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '概况',
      '功能区用量',
      '建筑用量',
      '租户用量',
      '表计',
      '电压合格率',
      '频率合格率',
      '水质合格率',
      '供电供水可用性',
      '水平衡',
      '告警统计',
      '数据完整性',
      '数据事件',
    ]);
    const rows = (name: string) => {
      const sheet = workbook.worksheets.find((s) => s.name.startsWith(name));
      const values: unknown[][] = [];
      sheet?.eachRow((row) => values.push((row.values as unknown[]).slice(1)));
      return values;
    };
    const summary = rows('概况');
    expect(summary[0]).toEqual(['示范村乡村创客社区 · 概况', '2026-11 · Summary']);
    expect(summary[1]).toEqual(['指标', '英文', '数值', '单位']);
    const figure = (zh: string) => summary.find((r) => r[0] === zh)?.[2] as number;
    expect(figure('用电量')).toBeCloseTo(7344, 6);
    expect(figure('最大需量')).toBeCloseTo(16.2, 6);
    expect(figure('用水量（不含总表）')).toBeCloseTo(1941.6, 6);
    expect(figure('电压合格率')).toBeCloseTo(129275 / 129410, 9);
    expect(figure('产销差率')).toBeCloseTo(0.2, 9);
    expect(figure('告警次数')).toBe(4);
    const pct = workbook.worksheets[0]?.getRow(7).getCell(3);
    expect([pct?.value, pct?.numFmt]).toEqual([expect.closeTo(129275 / 129410, 9), '0.00%']);
    const fabLab = rows('电压合格率').find((r) => r[0] === '数字加工坊电表');
    expect(fabLab?.slice(1, 9)).toEqual([
      '220 V 单相（+7%/−10%）',
      43200,
      43065,
      90,
      45,
      43065 / 43200,
      190,
      240,
    ]);
    const tenant = rows('租户用量').find((r) => r[0] === '创客团队');
    expect(tenant?.slice(2, 6)).toEqual([
      expect.closeTo(3025.5, 6),
      expect.closeTo(7.2, 6),
      '2026-11-10 09:00',
      expect.closeTo(730.8, 6),
    ]);
    expect(
      rows('数据事件')
        .slice(4)
        .map((r) => [r[0], r[1], r[2]]),
    ).toEqual([
      ['卫生室电表', '数据缺口 / gap', '2026-11-08 10:00'],
      ['创客楼总电表', '计数器复位 / counter reset', '2026-11-15 11:59'],
      ['卫生室电表', '换表 / meter replaced', '2026-11-18 09:59'],
      ['卫生室电表', '数据缺口 / gap', '2026-11-18 10:00'],
    ]);
  });

  it('writes a CSV Excel reads as UTF-8, each table under its title, cells that cannot become formulas', async () => {
    const text = (await renderReport(report(), 'csv')).toString('utf8');
    expect(text.startsWith('\uFEFF概况 / Summary,示范村乡村创客社区,2026-11\r\n')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines).toContain('用电量,Electricity,7344.0,kWh');
    expect(lines).toContain('电压合格率,Voltage qualification rate,99.90,%');
    expect(lines).toContain('供电供水可用性 / Supply availability,示范村乡村创客社区,2026-11');
    expect(lines).toContain('公共服务,60,130,60,0,2026-11-22 03:00 – 04:00,2026-11-22 03:00 – 04:00');
    const hostile = structuredClone(report());
    hostile.site.name = '=HYPERLINK("http://x","点我")';
    const first = (await renderReport(hostile, 'csv')).toString('utf8').split('\r\n')[0];
    expect(first).toBe('\uFEFF概况 / Summary,"\'=HYPERLINK(""http://x"",""点我"")",2026-11');
  });

  it('prints an A4 page in Chinese first, escaping every name, and Chromium turns it into PDF pages', async () => {
    const html = (await renderReport(report(), 'html')).toString('utf8');
    expect(html).toContain(
      '<h1>示范村乡村创客社区 · 运行统计报表<span class="en">Demo village maker community · Operations report</span></h1>',
    );
    expect(html).toContain('@page { size: A4;');
    expect(html).not.toMatch(/<script|https?:\/\//);
    const hostile = structuredClone(report());
    (hostile.consumption.meters[0] as { device: { name: string } }).device.name =
      '<img src=x onerror=alert(1)>';
    const escaped = (await renderReport(hostile, 'html')).toString('utf8');
    expect(escaped).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(escaped).not.toContain('<img');

    const pdf = await renderReport(report(), 'pdf');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    rmSync(ARTEFACTS, { recursive: true, force: true });
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(join(ARTEFACTS, 'demo-village-2026-11.pdf'), pdf);
    const info = execFileSync('pdfinfo', [join(ARTEFACTS, 'demo-village-2026-11.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[56]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      join(ARTEFACTS, 'demo-village-2026-11.pdf'),
      join(ARTEFACTS, 'page'),
    ]);
    expect(readdirSync(ARTEFACTS).filter((f) => f.startsWith('page-') && f.endsWith('.png'))).toHaveLength(
      pages,
    );
    // the text layer holds the Chinese, so the font rendered it (no tofu boxes for missing glyphs)
    const text = execFileSync('pdftotext', ['-layout', join(ARTEFACTS, 'demo-village-2026-11.pdf'), '-'], {
      encoding: 'utf8',
    });
    expect(text).toContain('运行统计报表');
    expect(text).toContain('电压合格率');
    expect(text).toContain('数字加工坊电表');
  }, 120_000);
}
