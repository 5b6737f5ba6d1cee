import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, projectFile, waitFor } from '../../runtime/index.js';
import { ManagedInfluxd } from '../../stack/index.js';
import { applyStoragePolicy, storagePolicySchema } from '../../storage/index.js';
import { SmtpReceiver } from '../../test/support/index.js';
import { reportsConfigSchema } from '../config.js';
import { dueMonth, nextMonthlyRun } from '../service/monthly-mail.js';
import { ReportsService } from '../service/reports-service.js';
import { attachmentsOf } from './mime-attachments.js';
import { local, seededLines, seededSite } from './seeded-month.js';

const run = promisify(execFile);
const DB = 'village';
const TOKEN = 'report-token-for-tests-0123456789';
/** The first two days of the seeded month: enough to deliver, quicker to read. */
const TWO_DAYS = 2 * 1440;

async function sheetRows(content: Buffer, sheet: string): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  workbook.getWorksheet(sheet)?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

describe('report delivery: CLI, API and the monthly e-mail, against a real influxd and SMTP server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-delivery-'));
  const influxd = new ManagedInfluxd({ dataDir: join(dir, 'influxd'), binary: '/usr/bin/influxd' });
  const smtp = new SmtpReceiver();
  const siteFile = join(dir, 'site.yaml');
  let service: ReportsService;
  // 1 December 2026, 08:30 China time: November's report is due
  const now = () => local(30, 0) + 1440 * 60_000 + 8.5 * 3_600_000;

  beforeAll(async () => {
    await Promise.all([influxd.start(), smtp.start()]);
    await applyStoragePolicy(
      { url: influxd.url },
      DB,
      storagePolicySchema.parse({ raw: 'INF', rollup1m: 'INF' }),
    );
    const lines = seededLines().filter(
      (line) => Number(line.slice(line.lastIndexOf(' ') + 1)) < local(1, 0) + TWO_DAYS * 60_000,
    );
    for (let i = 0; i < lines.length; i += 10_000) {
      const response = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
        method: 'POST',
        body: lines.slice(i, i + 10_000).join('\n'),
      });
      expect(response.status).toBe(204);
    }
    writeFileSync(siteFile, stringify(seededSite()));
    const config = reportsConfigSchema.parse({
      siteFiles: [siteFile],
      influx: { url: influxd.url, database: DB },
      http: { port: 0 },
      apiTokens: [TOKEN],
      mail: {
        to: ['committee@village.example', 'clerk@village.example'],
        from: 'reports@village.example',
        smtpPort: smtp.port,
        hour: 8,
        stateFile: join(dir, 'mail-state.json'),
      },
    });
    service = new ReportsService(config, { logger: createLogger('reports-test', { level: 'warn' }), now });
    await service.start();
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await Promise.all([influxd.stop(), smtp.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a report from the command line', async () => {
    const out = join(dir, 'day.csv');
    const { stdout } = await run(
      'npx',
      [
        'tsx',
        'reports/cli.ts',
        '--site',
        'demo-village',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-01',
        '--format',
        'csv',
        '-o',
        out,
        '--site-file',
        siteFile,
        '--influx-url',
        influxd.url,
      ],
      { cwd: projectFile('.') },
    );
    expect(stdout).toContain(`${out}: 示范村乡村创客社区 2026-11-01 – 2026-11-01 (csv)`);
    const lines = readFileSync(out, 'utf8').split('\r\n');
    // one day: the maker hall 1,440 × 0.1 kWh, the fab lab 1,440 × 0.02 kWh; 16 h × 3 m³/h of water
    expect(lines).toContain('创客工作区,Maker workspace,172.8,7.20,2026-11-01 00:00,48.00,');
    const refused = await run(
      'npx',
      ['tsx', 'reports/cli.ts', '--site', 'demo-village', '--month', '2026-13', '-o', out],
      { cwd: projectFile('.') },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('month: a month as YYYY-MM') });
  }, 120_000);

  it('answers the API only with a report token, and with the report in the format asked for', async () => {
    const url = `${service.url}/api/reports?site=demo-village&from=2026-11-01&to=2026-11-02&format=xlsx`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status).toBe(
      401,
    );
    const bad = await fetch(`${service.url}/api/reports?site=demo-village&month=2026-13`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'REPORT_REQUEST_INVALID' });
    const unknown = await fetch(`${service.url}/api/reports?site=other-village&month=2026-11`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(unknown.status).toBe(404);
    const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="demo-village-2026-11-01_2026-11-02.xlsx"',
    );
    const zones = await sheetRows(Buffer.from(await response.arrayBuffer()), '功能区用量');
    const maker = zones.find((r) => r[0] === '创客工作区');
    expect(maker?.[2]).toBeCloseTo(2 * 172.8, 6);
    expect(maker?.[5]).toBeCloseTo(2 * 48, 6);
    const html = await fetch(`${service.url}/api/reports?site=demo-village&month=2026-11&format=html`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('运行统计报表');
  }, 120_000);

  it('has health, readiness and metrics like every service', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${service.url}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: { influxdb: true },
    });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/reports_generated_total\{[^}]*format="xlsx",via="api"[^}]*\} [1-9]/);
  });

  it("mails last month's report with the PDF and XLSX attached on the 1st, once", async () => {
    const mail = await waitFor(
      'the monthly report in the mailbox',
      () => smtp.messages.find((m) => m.subject.includes('2026-11')),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(mail.to).toEqual(['committee@village.example', 'clerk@village.example']);
    expect(mail.subject).toBe(
      '示范村乡村创客社区 2026-11 运行月报 / Demo village maker community operations report 2026-11',
    );
    const attachments = attachmentsOf(mail.raw);
    expect(attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['demo-village-2026-11.pdf', 'application/pdf'],
      ['demo-village-2026-11.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ]);
    expect(attachments[0]?.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const summary = await sheetRows(attachments[1]?.content as Buffer, '概况');
    expect(summary[0]).toEqual(['示范村乡村创客社区 · 概况', '2026-11 · Summary']);
    expect(JSON.parse(readFileSync(join(dir, 'mail-state.json'), 'utf8'))).toEqual({
      version: 1,
      sent: { 'demo-village/2026-11': now() },
    });
    // a restart on the same day sends nothing again
    const again = new ReportsService(
      reportsConfigSchema.parse({
        siteFiles: [siteFile],
        influx: { url: influxd.url, database: DB },
        http: { port: 0 },
        mail: {
          to: ['committee@village.example'],
          smtpPort: smtp.port,
          stateFile: join(dir, 'mail-state.json'),
        },
      }),
      { logger: createLogger('reports-test', { level: 'warn' }), now },
    );
    await again.start();
    await again.stop();
    expect(smtp.messages.filter((m) => m.subject.includes('2026-11'))).toHaveLength(1);
  }, 180_000);

  it('knows when the next monthly report is due, China time', () => {
    const dec1at8 = Date.UTC(2026, 10, 30, 16) + 8 * 3_600_000; // 2026-12-01 08:00 +08:00
    expect(nextMonthlyRun(dec1at8 - 1, 8)).toBe(dec1at8);
    expect(nextMonthlyRun(dec1at8, 8)).toBe(Date.UTC(2026, 11, 31, 16) + 8 * 3_600_000);
    expect(dueMonth(dec1at8 - 1, 8)).toBe('2026-10');
    expect(dueMonth(dec1at8, 8)).toBe('2026-11');
    expect(dueMonth(Date.UTC(2026, 11, 31, 16) + 9 * 3_600_000, 8)).toBe('2026-12');
  });
});
