import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { DEMO_SITE_FILE } from '../site/index.js';
import { DEFAULT_RULES_FILE } from '../alerting/index.js';
import { REPORT_FORMATS } from './render/render-report.js';
import { reportRequestSchema, resolveRequest } from './report-request.js';
import { ReportMaker } from './service/report-maker.js';

/**
 * npm run report -- --site demo-village --month 2026-11 --format xlsx -o november.xlsx
 * npm run report -- --site demo-village --from 2026-11-03 --to 2026-11-09 --format pdf -o week.pdf
 */
const program = new Command('report')
  .description('运行统计报表 / Operations report of a site for a month or a date range')
  .requiredOption('--site <id>', 'site id, e.g. demo-village')
  .option('--month <YYYY-MM>', 'a month, China time')
  .option('--from <YYYY-MM-DD>', 'first day of a range')
  .option('--to <YYYY-MM-DD>', 'last day of a range (included)')
  .option('--format <format>', REPORT_FORMATS.join(' | '), 'xlsx')
  .requiredOption('-o, --output <file>', 'where to write the report')
  .option('--site-file <file...>', 'site files to find the site in', [DEMO_SITE_FILE])
  .option('--rule-file <file...>', "alerting's rule files (alert titles)", [DEFAULT_RULES_FILE])
  .option('--influx-url <url>', 'InfluxDB', process.env.INFLUX_URL ?? 'http://127.0.0.1:8086')
  .option('--database <name>', 'InfluxDB database', process.env.INFLUX_DATABASE ?? 'village');

program.parse();
const options = program.opts<{
  site: string;
  month?: string;
  from?: string;
  to?: string;
  format: string;
  output: string;
  siteFile: string[];
  ruleFile: string[];
  influxUrl: string;
  database: string;
}>();

const parsed = reportRequestSchema.safeParse({
  site: options.site,
  format: options.format,
  ...(options.month ? { month: options.month } : {}),
  ...(options.from ? { from: options.from } : {}),
  ...(options.to ? { to: options.to } : {}),
});
if (!parsed.success) {
  process.stderr.write(
    `${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('\n')}\n`,
  );
  process.exit(2);
}
const maker = new ReportMaker({
  target: {
    url: options.influxUrl,
    username: process.env.INFLUX_USERNAME,
    password: process.env.INFLUX_PASSWORD,
  },
  database: options.database,
  siteFiles: options.siteFile,
  ruleFiles: options.ruleFile,
});
const request = resolveRequest(parsed.data, maker.sites);
const { files } = await maker.make(request.site, request.period, [request.format]);
writeFileSync(options.output, (files[0] as { content: Buffer }).content);
process.stdout.write(
  `${options.output}: ${request.site.site.name} ${request.period.label} (${request.format})\n`,
);
