import { describe, expect, it } from 'vitest';
import type { InfluxQueryResult } from './managed-influxd.js';
import { ProgressReport } from './progress-line.js';

const at = new Date('2026-12-06T13:00:00Z');
const counted = (statementId: number, ...counts: number[]) => ({
  statement_id: statementId,
  series: [
    { name: 'm', columns: ['time', ...counts.map((_, i) => `count_f${i}`)], values: [[0, ...counts]] },
  ],
});

describe('the npm start progress line', () => {
  it('reads each measurement from its own statement, so one without points reads 0 in its place', () => {
    const answer = { results: [{ statement_id: 0 }, counted(1, 34, 30), { statement_id: 2 }, counted(3, 7)] };
    expect(new ProgressReport(60).line(answer as InfluxQueryResult, at)).toBe(
      '[2026-12-06T13:00:00.000Z] 最近一分钟写入 points in the last minute: 用水 water 0 · 用电 electricity 34 · 安全 safety 0 · 状态 status 7',
    );
  });

  it('says why the first minute is empty when the gateway sends minute batches', () => {
    const answer = { results: [0, 1, 2, 3].map((id) => ({ statement_id: id })) };
    const line = new ProgressReport(60).line(answer as InfluxQueryResult, at);
    expect(line).toContain('暂无 none yet');
    expect(line).toContain('网关每 60 秒上传一批 (the gateway sends a batch every 60 s)');
  });

  it("keeps the hint while only the gateway's status, which leaves at once, has arrived", () => {
    const answer = {
      results: [{ statement_id: 0 }, { statement_id: 1 }, { statement_id: 2 }, counted(3, 1)],
    };
    expect(new ProgressReport(60).line(answer as InfluxQueryResult, at)).toMatch(
      /状态 status 1 — 网关每 60 秒上传一批 \(the gateway sends a batch every 60 s\)$/,
    );
  });

  it('shows an empty minute after the first readings as zeros, not as a start', () => {
    const report = new ProgressReport(60);
    const empty = { results: [0, 1, 2, 3].map((id) => ({ statement_id: id })) } as InfluxQueryResult;
    const some = { results: [counted(0, 6), { statement_id: 1 }, { statement_id: 2 }, counted(3, 9)] };
    expect(report.line(empty, at)).toContain('暂无 none yet');
    expect(report.line(some as InfluxQueryResult, at)).toMatch(
      /用水 water 6 · 用电 electricity 0 · 安全 safety 0 · 状态 status 9$/,
    );
    expect(report.line(empty, at)).toBe(
      '[2026-12-06T13:00:00.000Z] 最近一分钟写入 points in the last minute: 用水 water 0 · 用电 electricity 0 · 安全 safety 0 · 状态 status 0 — 网关每 60 秒上传一批 (the gateway sends a batch every 60 s)',
    );
  });

  it('passes on an error InfluxDB reports for a statement', () => {
    const answer = { results: [{ statement_id: 0, error: 'database not found: village' }] };
    expect(() => new ProgressReport(undefined).line(answer as InfluxQueryResult, at)).toThrow(
      'database not found',
    );
  });
});
