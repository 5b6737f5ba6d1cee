import { SERVICE_ZONE, type Alert, type NotificationReason } from '../engine/alert-schema.js';
import type { SiteIndex } from '../engine/site-index.js';
import { unitSymbol } from '../engine/site-index.js';
import type { Rule } from '../rules/rule-schema.js';
import type { Language } from './delivery-schema.js';

export interface RenderedMessage {
  title: string;
  /** Plain text, one fact per line (e-mail, Feishu text). */
  text: string;
  /** The same as Markdown (WeCom, DingTalk). */
  markdown: string;
}

export interface MessageContext {
  sites: SiteIndex;
  rules: ReadonlyMap<string, Rule>;
  /** Base URL of this service's API, for the acknowledgement instructions. */
  publicUrl: string;
  utcOffsetMinutes: number;
}

const WORDS = {
  zh: {
    reason: {
      firing: '告警',
      resolved: '已恢复',
      reminder: '提醒：告警仍未确认',
      escalation: '升级：告警长时间未确认',
      acknowledged: '已确认',
    },
    severity: { critical: '严重', warning: '警告', info: '提示' },
    state: { pending: '待定', firing: '告警中', resolved: '已恢复' },
    what: '事件',
    status: '状态',
    zone: '片区',
    building: '建筑',
    device: '设备',
    value: '数值',
    threshold: '阈值',
    clause: '依据',
    since: '开始时间',
    resolvedAt: '恢复时间',
    detail: '详情',
    ackedBy: '确认人',
    ack: '确认方式',
    id: '告警编号',
    occurrences: '次数',
    ackBody: '{"by":"姓名","comment":"处理说明"}',
    multipleZones: '多个片区',
    systemZone: '告警系统',
  },
  en: {
    reason: {
      firing: 'ALERT',
      resolved: 'RESOLVED',
      reminder: 'REMINDER: still unacknowledged',
      escalation: 'ESCALATED: unacknowledged',
      acknowledged: 'ACKNOWLEDGED',
    },
    severity: { critical: 'critical', warning: 'warning', info: 'info' },
    state: { pending: 'pending', firing: 'firing', resolved: 'resolved' },
    what: 'What',
    status: 'State',
    zone: 'Zone',
    building: 'Building',
    device: 'Device',
    value: 'Value',
    threshold: 'threshold',
    clause: 'Clause',
    since: 'Since',
    resolvedAt: 'Resolved at',
    detail: 'Detail',
    ackedBy: 'Acknowledged by',
    ack: 'To acknowledge',
    id: 'Alert id',
    occurrences: 'Occurrences',
    ackBody: '{"by":"your name","comment":"what was done"}',
    multipleZones: 'several zones',
    systemZone: 'alerting service',
  },
} as const;

/** What happened, where, how bad, since when, and how to acknowledge it: in the contact's language. */
export function renderMessage(
  alert: Alert,
  reason: NotificationReason,
  language: Language,
  context: MessageContext,
): RenderedMessage {
  const w = WORDS[language];
  const rule = context.rules.get(alert.ruleId);
  const title = rule ? (language === 'zh' ? rule.title_zh : rule.title_en) : alert.ruleId;
  const zone = context.sites.zone(alert.site, alert.zone);
  const device = alert.device ? context.sites.device(alert.site, alert.device) : undefined;
  const zoneName = zone
    ? language === 'zh'
      ? zone.name
      : zone.nameEn
    : alert.zone === 'multiple'
      ? w.multipleZones
      : alert.zone === SERVICE_ZONE
        ? w.systemZone
        : alert.zone;
  const place = device ? (language === 'zh' ? device.buildingName : device.buildingNameEn) : zoneName;

  const facts: Array<[string, string]> = [
    [w.what, title],
    [w.status, `${w.state[alert.state]} (${w.severity[alert.severity]})`],
    [w.zone, zoneName],
  ];
  if (device) {
    facts.push([w.building, language === 'zh' ? device.buildingName : device.buildingNameEn]);
    facts.push([w.device, `${device.name} (${device.id})`]);
  } else if (alert.gateway) {
    facts.push([w.device, alert.gateway]);
  }
  if (alert.value !== undefined) {
    const unit = alert.field === 'silent_s' ? 's' : unitSymbol(alert.field);
    facts.push([
      w.value,
      `${round(alert.value)}${unit ? ` ${unit}` : ''}${alert.threshold ? ` (${w.threshold} ${alert.threshold})` : ''}`,
    ]);
  } else if (alert.threshold) {
    facts.push([w.detail, alert.threshold]);
  }
  if (alert.occurrences > 1) facts.push([w.occurrences, String(alert.occurrences)]);
  if (alert.detail) facts.push([w.detail, alert.detail[language]]);
  if (rule) facts.push([w.clause, rule.clause]);
  facts.push([w.since, formatTime(alert.firedAt ?? alert.startedAt, context.utcOffsetMinutes)]);
  if (alert.resolvedAt !== undefined)
    facts.push([w.resolvedAt, formatTime(alert.resolvedAt, context.utcOffsetMinutes)]);
  if (alert.ack)
    facts.push([
      w.ackedBy,
      `${alert.ack.by} ${formatTime(alert.ack.at, context.utcOffsetMinutes)}${alert.ack.comment ? `: ${alert.ack.comment}` : ''}`,
    ]);
  if (alert.state === 'firing' && !alert.ack) {
    facts.push([
      w.ack,
      `POST ${context.publicUrl.replace(/\/$/, '')}/api/alerts/${alert.id}/ack ${w.ackBody}`,
    ]);
  }
  facts.push([w.id, alert.id]);

  const heading = `[${w.reason[reason]}] ${title} · ${place}`;
  const separator = language === 'zh' ? '：' : ': ';
  return {
    title: heading,
    text: [heading, '', ...facts.map(([k, v]) => `${k}${separator}${v}`)].join('\n'),
    markdown: [`### ${heading}`, ...facts.map(([k, v]) => `> **${k}**${separator}${v}`)].join('\n'),
  };
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

/** "2025-06-01 20:00:05 (UTC+8)". */
export function formatTime(ts: number, utcOffsetMinutes: number): string {
  const local = new Date(ts + utcOffsetMinutes * 60_000).toISOString().replace('T', ' ').slice(0, 19);
  const hours = utcOffsetMinutes / 60;
  return `${local} (UTC${hours >= 0 ? '+' : ''}${hours})`;
}
