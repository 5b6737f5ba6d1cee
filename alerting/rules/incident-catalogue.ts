import { EVENT_LABELS, type EventType } from '../../contracts/index.js';
import { unitSymbol } from '../engine/site-index.js';
import { describeCondition, negate, type Condition } from './condition.js';
import { RULE_GROUPS, type EventMatch, type Rule } from './rule-schema.js';

/** How one incident class reads in the catalogue: every column in Chinese, then English. */
export interface CatalogueRow {
  id: string;
  group: keyof typeof RULE_GROUPS;
  title: Bilingual;
  severity: Rule['severity'];
  clause: string;
  detection: Bilingual;
  clears: Bilingual;
  suppresses: Bilingual;
}

interface Bilingual {
  zh: string;
  en: string;
}

const SEVERITY = {
  critical: { zh: '严重', en: 'critical' },
  warning: { zh: '警告', en: 'warning' },
  info: { zh: '提示', en: 'info' },
} as const;

const SCOPE = {
  device: { zh: '同一设备', en: 'same device' },
  building: { zh: '同一建筑', en: 'same building' },
  zone: { zh: '同一片区', en: 'same zone' },
  gateway: { zh: '同一网关', en: 'same gateway' },
  site: { zh: '全村', en: 'whole site' },
} as const;

const GATEWAY_EVENTS: Readonly<Record<string, Bilingual>> = {
  gateway_offline: { zh: '网关离线（遗嘱消息）', en: 'gateway offline (its will)' },
  gateway_stopped: {
    zh: '网关按计划停止（关机消息）',
    en: 'gateway stopped on purpose (its shutdown message)',
  },
  gateway_online: { zh: '网关上线', en: 'gateway online' },
  gateway_clock_skewed: {
    zh: '网关时间戳超前 5 分钟以上或早于 30 天（数据被拒收）',
    en: 'gateway timestamps > 5 min ahead or > 30 days old (data refused)',
  },
  gateway_clock_ok: { zh: '网关时间戳恢复正常', en: 'gateway timestamps right again' },
};

function eventName(type: string): Bilingual {
  return EVENT_LABELS[type as EventType] ?? GATEWAY_EVENTS[type] ?? { zh: type, en: type };
}

function join(parts: readonly Bilingual[], zhSep = '、', enSep = ', '): Bilingual {
  return { zh: parts.map((p) => p.zh).join(zhSep), en: parts.map((p) => p.en).join(enSep) };
}

function describeMatch(match: Pick<EventMatch, 'events' | 'data'>): Bilingual {
  const events = join(match.events.map(eventName), ' 或 ', ' or ');
  const data = Object.entries(match.data).map(([k, v]) => `${k}=${String(v)}`);
  if (data.length === 0) return events;
  return { zh: `${events.zh}（${data.join('，')}）`, en: `${events.en} (${data.join(', ')})` };
}

function seconds(s: number): Bilingual {
  if (s >= 86_400 && s % 86_400 === 0) return { zh: `${s / 86_400} 天`, en: `${s / 86_400} d` };
  if (s >= 3600 && s % 3600 === 0) return { zh: `${s / 3600} 小时`, en: `${s / 3600} h` };
  return { zh: `${s} 秒`, en: `${s} s` };
}

function held(text: Bilingual, forS: number): Bilingual {
  if (forS <= 0) return text;
  const d = seconds(forS);
  return { zh: `${text.zh}，持续 ${d.zh}`, en: `${text.en} for ${d.en}` };
}

function fieldsText(rule: Extract<Rule, { kind: 'threshold' }>): Bilingual {
  const fields = rule.fields.map((f) => `\`${f}\``).join(' / ');
  switch (rule.combine) {
    case 'max':
      return { zh: `${fields} 中的最大值`, en: `the highest of ${fields}` };
    case 'min':
      return { zh: `${fields} 中的最小值`, en: `the lowest of ${fields}` };
    case 'unbalance_pct':
      return {
        zh: `${fields} 的不平衡度（偏离平均值的最大百分比）`,
        en: `the unbalance of ${fields} (largest deviation from their mean, %)`,
      };
    case 'each':
      return { zh: `${fields}（各自判断）`, en: `${fields} (each)` };
  }
}

function thresholdCondition(rule: Extract<Rule, { kind: 'threshold' }>, condition: Condition): Bilingual {
  const unit = rule.combine === 'unbalance_pct' ? '%' : unitSymbol(rule.fields[0]);
  if (rule.relativeTo) {
    const c = describeCondition(condition);
    return {
      zh: `${c} × 额定值 \`${rule.relativeTo}\`（站点文件 ratings）`,
      en: `${c} × the rating \`${rule.relativeTo}\` (site file ratings)`,
    };
  }
  const c = describeCondition(condition, unit);
  return { zh: c, en: c };
}

function detection(rule: Rule): Bilingual {
  switch (rule.kind) {
    case 'threshold': {
      const fields = fieldsText(rule);
      const c = thresholdCondition(rule, rule.fire);
      return held({ zh: `${fields.zh} ${c.zh}`, en: `${fields.en} ${c.en}` }, rule.forS);
    }
    case 'absence': {
      if (rule.of) {
        const d = seconds(rule.silenceS ?? 0);
        const m = describeMatch(rule.of);
        return { zh: `${d.zh}内没有${m.zh}`, en: `no ${m.en} for ${d.en}` };
      }
      return held(
        {
          zh: `超过 ${rule.intervalMultiplier} 个轮询周期无数据（网关在线时）`,
          en: `no reading for ${rule.intervalMultiplier} poll intervals (gateway up)`,
        },
        rule.forS,
      );
    }
    case 'event': {
      const m = describeMatch(rule);
      const per =
        rule.subjectData.length > 0
          ? {
              zh: `，按 ${rule.subjectData.join('/')} 分别告警`,
              en: `, one alert per ${rule.subjectData.join('/')}`,
            }
          : { zh: '', en: '' };
      return held({ zh: `收到${m.zh}${per.zh}`, en: `${m.en}${per.en}` }, rule.forS);
    }
    case 'window': {
      const d = seconds(rule.windowS);
      const when = rule.timeOfDay
        ? {
            zh: `（${rule.timeOfDay.from}–${rule.timeOfDay.to}）`,
            en: ` (${rule.timeOfDay.from}–${rule.timeOfDay.to})`,
          }
        : { zh: '', en: '' };
      if (rule.aggregate === 'count') {
        const m = join(rule.events.map(eventName), ' 或 ', ' or ');
        const c = describeCondition(rule.fire);
        return {
          zh: `${d.zh}内${m.zh}次数 ${c}${when.zh}`,
          en: `${m.en} count ${c} within ${d.en}${when.en}`,
        };
      }
      const c = describeCondition(rule.fire, unitSymbol(rule.field));
      const agg =
        rule.aggregate === 'min' ? { zh: '最小值', en: 'minimum' } : { zh: '最大值', en: 'maximum' };
      return {
        zh: `\`${rule.field}\` 在${d.zh}内的${agg.zh} ${c}${when.zh}`,
        en: `${agg.en} of \`${rule.field}\` over ${d.en} ${c}${when.en}`,
      };
    }
    case 'correlation':
      return held(correlationDetection(rule), rule.forS);
    case 'linkage': {
      const trigger = describeMatch(rule.trigger);
      const expected = join(rule.expect.events.map(eventName), ' 或 ', ' or ');
      return {
        zh: `${trigger.zh}后 ${rule.withinS} 秒内（按消息时间），同一建筑的设备未报告${expected.zh}`,
        en: `after a ${trigger.en}, a device of the same building reports no ${expected.en} within ${rule.withinS} s (by message time)`,
      };
    }
    case 'service':
      return {
        zh: '告警服务发现某通知通道连续投递失败',
        en: 'the alerting service finds a channel failing delivery after delivery',
      };
  }
}

function correlationDetection(rule: Extract<Rule, { kind: 'correlation' }>): Bilingual {
  const sources = rule.sourceRules.map((id) => `\`${id}\``).join(', ');
  switch (rule.mode) {
    case 'zone_outage':
      return {
        zh: `同一片区至少 ${rule.minDevices} 台（不足时为全部）被监测设备出现 ${sources}`,
        en: `${sources} on at least ${rule.minDevices} of a zone's watched devices (or all, where fewer)`,
      };
    case 'power_outage': {
      const where =
        rule.scope === 'zone'
          ? { zh: '片区', en: 'zone' }
          : { zh: '建筑（其片区未整体停电）', en: 'building (whose zone is not out as a whole)' };
      const evidence = rule.evidenceRules.map((id) => `\`${id}\``).join(', ');
      return {
        zh: `网关在线，${where.zh}内全部电表出现 ${sources}，且其中有 ${evidence}（仅电表无数据可能是总线故障，不算停电）`,
        en: `gateway up, every meter of the ${where.en} has ${sources}, and ${evidence} holds there (meters merely silent may be a bus fault, not a power cut)`,
      };
    }
    case 'gateway_power_outage':
      return {
        zh: '网关遗嘱消息触发，而其电表此前读数正常：按片区推断停电',
        en: "the gateway's will fires while its meters had been reading normally: a probable outage per zone",
      };
    case 'gateway_network_fault':
      return {
        zh: `网关在线，但同一片区至少 ${rule.minDevices} 台电表 ${sources}`,
        en: `gateway up, but ${sources} on at least ${rule.minDevices} meters of a zone`,
      };
  }
}

function clears(rule: Rule): Bilingual {
  switch (rule.kind) {
    case 'threshold': {
      const c = thresholdCondition(rule, rule.clear ?? negate(rule.fire));
      return held(c, rule.clearForS);
    }
    case 'absence':
      return rule.of
        ? { zh: `收到${describeMatch(rule.of).zh}`, en: `a ${describeMatch(rule.of).en}` }
        : { zh: '设备再次上报', en: 'the device reports again' };
    case 'event': {
      const parts: Bilingual[] = (rule.clear ?? []).map(describeMatch);
      if (rule.autoResolveS) {
        const d = seconds(rule.autoResolveS);
        parts.push({ zh: `${d.zh}内无新事件`, en: `${d.en} without a new event` });
      }
      if (parts.length === 0)
        return { zh: '不自动恢复（需人工确认）', en: 'does not clear by itself (acknowledge it)' };
      return join(parts, ' 或 ', ' or ');
    }
    case 'window':
      return { zh: '窗口内不再满足条件', en: 'the window no longer meets the condition' };
    case 'correlation':
      return rule.mode === 'gateway_power_outage'
        ? { zh: '网关重新上线', en: 'the gateway comes back' }
        : { zh: '所依据的告警恢复，条件不再成立', en: 'the alerts it reads clear' };
    case 'linkage':
      return {
        zh: `每台设备都报告了应急状态，或${describeMatch(rule.triggerClear ?? rule.trigger).zh}`,
        en: `every device has reported, or a ${describeMatch(rule.triggerClear ?? rule.trigger).en}`,
      };
    case 'service':
      return { zh: '该通道投递恢复成功', en: 'the channel delivers again' };
  }
}

function suppresses(rule: Rule, titles: ReadonlyMap<string, Bilingual>): Bilingual {
  if (rule.inhibits.length === 0) return { zh: '—', en: '—' };
  const names = join(
    rule.inhibits.map((inhibition) => {
      const names = join(inhibition.rules.map((id) => titles.get(id) ?? { zh: id, en: id }));
      const scope = SCOPE[inhibition.scope];
      return { zh: `${scope.zh}的${names.zh}`, en: `${names.en} (${scope.en})` };
    }),
    '；',
    '; ',
  );
  if (rule.kind !== 'correlation' || rule.settleS <= 0) return names;
  const d = seconds(rule.settleS);
  return {
    zh: `${names.zh}。事件可能正在形成时（同一范围内已有其依据的告警，停电还须有断电证据），这些告警从开始起等 ${d.zh}再单独通知，一同故障的设备先以本事件通知`,
    en: `${names.en}. While the incident may still form (an alert it reads is open there, and for a power cut its evidence), these wait ${d.en} from their start before notifying alone, so devices failing together are told as this incident first`,
  };
}

export function catalogueRows(rules: readonly Rule[]): CatalogueRow[] {
  const titles = new Map(rules.map((r) => [r.id, { zh: r.title_zh, en: r.title_en }]));
  const order = Object.keys(RULE_GROUPS);
  return rules
    .filter((r) => r.enabled)
    .map((rule) => ({
      id: rule.id,
      group: rule.group,
      title: { zh: rule.title_zh, en: rule.title_en },
      severity: rule.severity,
      clause: rule.clause,
      detection: detection(rule),
      clears: clears(rule),
      suppresses: suppresses(rule, titles),
    }))
    .sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
}

/** Measured by the scenario suite: fault on → notification, fault off → resolved, ms. */
export interface IncidentTiming {
  rule: string;
  scenario: string;
  toNotificationMs: number;
  toResolvedMs: number | null;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** docs/incidents.md: one row per incident class, grouped, zh first with English beside it. */
export function renderCatalogue(
  rules: readonly Rule[],
  timings: { measuredOn: string; rows: readonly IncidentTiming[] } | undefined,
): string {
  const rows = catalogueRows(rules);
  const out: string[] = [
    '<!-- Generated by `npm run incidents:generate` from alerting/rules/village-defaults.yaml',
    '     (and docs/incident-timings.json, written by test/scenarios). Do not edit by hand. -->',
    '',
    '# 事件目录 · Incident catalogue',
    '',
    '每一类事件对应一条告警规则（`alerting/rules/village-defaults.yaml`），依据导则第 6 章及所引国家标准。',
    '“抑制”一栏：该事件存在（待定或告警中）时，它所解释的告警仍会记录并显示，但不再单独通知；事件结束后还保持 60 秒，恢复过程中的告警不会再通知。',
    '',
    'Each incident class is one alert rule, following clause 6 of the guideline and the standards it cites. ',
    '"Suppresses": while the incident is open (pending or firing), the alerts it explains are kept and shown but not ',
    'notified one by one, as Alertmanager inhibits; the hold lasts 60 s past its end, so alerts still recovering stay quiet.',
    '',
  ];
  for (const [group, name] of Object.entries(RULE_GROUPS)) {
    const inGroup = rows.filter((r) => r.group === group);
    if (inGroup.length === 0) continue;
    out.push(`## ${name.zh} · ${name.en}`, '');
    out.push(
      '| 事件 Incident | 级别 Severity | 依据 Clause | 检测 Detection | 恢复 Clears | 抑制 Suppresses |',
    );
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const r of inGroup) {
      const sev = SEVERITY[r.severity];
      out.push(
        `| **${cell(r.title.zh)}** ${cell(r.title.en)} (\`${r.id}\`) | ${sev.zh} ${sev.en} | ${cell(r.clause)} | ${cell(r.detection.zh)}<br>${cell(r.detection.en)} | ${cell(r.clears.zh)}<br>${cell(r.clears.en)} | ${cell(r.suppresses.zh)}<br>${cell(r.suppresses.en)} |`,
      );
    }
    out.push('');
  }
  out.push('## 实测时间 · Measured on the running stack', '');
  if (!timings || timings.rows.length === 0) {
    out.push(
      'Not measured yet: run `npx vitest run test/scenarios` and then `npm run incidents:generate`.',
      '',
    );
    return out.join('\n');
  }
  out.push(
    `由 \`test/scenarios\` 在真实运行的整套服务上测得（${timings.measuredOn}）：从开启模拟故障到通知到达接收端，从关闭故障到告警恢复。`,
    `Measured by \`test/scenarios\` on the running stack (${timings.measuredOn}): from switching the simulator's fault on to the notification at a real HTTP receiver, and from switching it off to the alert resolved. Rule timings (forS, clearForS, poll intervals) dominate; see each rule above.`,
    '',
    '测试与默认配置的不同 · Where the suite differs from the defaults: LAN devices count as silent after 15 s (profiles: 120–180 s), the monthly self-test is overdue after 30 s (rule: 32 days), and the night-flow window is moved onto the minutes of the run; a silent meter is polled at the slow offline rate (30 s) until it answers, which sets its time to resolve.',
    '',
    '| 场景 Scenario | 事件 Incident | 故障→通知 fault → notified | 恢复→解除 cleared → resolved |',
    '| --- | --- | --- | --- |',
  );
  const titles = new Map(rows.map((r) => [r.id, r.title]));
  for (const t of timings.rows) {
    const title = titles.get(t.rule);
    const resolved = t.toResolvedMs === null ? '—' : `${(t.toResolvedMs / 1000).toFixed(1)} s`;
    out.push(
      `| ${cell(t.scenario)} | ${title ? `${cell(title.zh)} ${cell(title.en)}` : t.rule} (\`${t.rule}\`) | ${(t.toNotificationMs / 1000).toFixed(1)} s | ${resolved} |`,
    );
  }
  out.push('');
  return out.join('\n');
}
