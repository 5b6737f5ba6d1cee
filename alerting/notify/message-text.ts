import type { Severity } from '../../contracts/index.js';
import type { Alert, NotificationReason } from '../engine/alert-schema.js';
import type { SiteIndex } from '../engine/site-index.js';
import type { Rule } from '../rules/rule-schema.js';
import { describeAlert, formatTime } from './alert-description.js';
import { inertMarkdown } from './chat-markdown.js';
import type { Language } from './delivery-schema.js';

export { formatTime } from './alert-description.js';

/** A button of a card, or a link line of a text message. */
export interface MessageLink {
  label: string;
  url: string;
  /** The one that acknowledges (cards show it as the primary button). */
  primary?: boolean;
}

/** Who a message is for: the links it carries, the mobile numbers a group robot may @-mention. */
export interface MessageAudience {
  links: MessageLink[];
  mobiles: string[];
}

export interface RenderedMessage {
  /** "[告警] 火灾报警 · 社区食堂": subject line, card title, chat preview. */
  title: string;
  reason: NotificationReason;
  severity: Severity;
  /** Label and value, raw (each format escapes them its own way). */
  facts: Array<[string, string]>;
  /** The alert on the page first, then one acknowledge link per person it is for. */
  links: MessageLink[];
  /** Mobile numbers of the people it is for (critical alerts @-mention them). */
  mobiles: string[];
  /** Plain text with the links spelled out (e-mail, webhooks). */
  text: string;
  /** The heading and facts as markdown, every value made inert (WeCom, DingTalk). */
  markdown: string;
  /** The links as one markdown line, `[label](url) · …` ('' without links). */
  markdownLinks: string;
  /** The short text a group robot sends after a critical card, to @-mention people. */
  mentionText: string;
}

export interface MessageContext {
  sites: SiteIndex;
  rules: ReadonlyMap<string, Rule>;
  utcOffsetMinutes: number;
  /** "王值班 (wang)" for an actor recorded on the alert (people/actor.ts). */
  actorLabel?: (actor: string) => string;
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
    /** An alarm that could not go out before its recovery (held-alarm.ts). */
    firedAndResolved: '告警（已恢复）',
    /** An escalation to someone who never had the alarm, held past its recovery. */
    escalatedAndResolved: '升级：告警长时间未确认（已恢复）',
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
    id: '告警编号',
    occurrences: '次数',
    links: '操作',
    mention: (severity: string) => `【${severity}告警，请立即查看上一条消息并确认】`,
    mentionResolved: (severity: string) => `【${severity}告警已发生并已恢复，请查看上一条消息】`,
  },
  en: {
    reason: {
      firing: 'ALERT',
      resolved: 'RESOLVED',
      reminder: 'REMINDER: still unacknowledged',
      escalation: 'ESCALATED: unacknowledged',
      acknowledged: 'ACKNOWLEDGED',
    },
    firedAndResolved: 'ALERT (since resolved)',
    escalatedAndResolved: 'ESCALATED: went unacknowledged (since resolved)',
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
    id: 'Alert id',
    occurrences: 'Occurrences',
    links: 'Act',
    mention: (severity: string) => `[${severity} alert: see the card above and acknowledge]`,
    mentionResolved: (severity: string) => `[${severity} alert, since resolved: see the card above]`,
  },
} as const;

/**
 * The title's first words. A late alarm shows when it happened (since); an alarm or an
 * escalation whose alert has since recovered says so first.
 */
function whatHappened(w: (typeof WORDS)[Language], alert: Alert, reason: NotificationReason): string {
  if (alert.state === 'resolved' && reason === 'firing') return w.firedAndResolved;
  if (alert.state === 'resolved' && reason === 'escalation') return w.escalatedAndResolved;
  return w.reason[reason];
}

/** What happened, where, how bad, since when, and where to act on it: in the contact's language. */
export function renderMessage(
  alert: Alert,
  reason: NotificationReason,
  language: Language,
  context: MessageContext,
  audience: MessageAudience = { links: [], mobiles: [] },
): RenderedMessage {
  const { links } = audience;
  const w = WORDS[language];
  const d = describeAlert(alert, context);
  const facts: Array<[string, string]> = [
    [w.what, d.title[language]],
    [w.status, `${w.state[alert.state]} (${w.severity[alert.severity]})`],
    [w.zone, d.zone[language]],
  ];
  if (d.building) facts.push([w.building, d.building[language]]);
  if (d.device) facts.push([w.device, `${d.device.name[language]} (${d.device.id})`]);
  else if (d.gateway) facts.push([w.device, `${d.gateway.name[language]} (${d.gateway.id})`]);
  if (d.value !== undefined)
    facts.push([w.value, `${d.value}${d.threshold ? ` (${w.threshold} ${d.threshold})` : ''}`]);
  else if (d.threshold) facts.push([w.detail, d.threshold]);
  if (alert.occurrences > 1) facts.push([w.occurrences, String(alert.occurrences)]);
  if (d.detail) facts.push([w.detail, d.detail[language]]);
  if (d.clause) facts.push([w.clause, d.clause]);
  facts.push([w.since, formatTime(alert.firedAt ?? alert.startedAt, context.utcOffsetMinutes)]);
  if (alert.resolvedAt !== undefined)
    facts.push([w.resolvedAt, formatTime(alert.resolvedAt, context.utcOffsetMinutes)]);
  if (alert.ack) {
    const by = context.actorLabel?.(alert.ack.by) ?? alert.ack.by;
    const at = formatTime(alert.ack.at, context.utcOffsetMinutes);
    facts.push([w.ackedBy, `${by} ${at}${alert.ack.comment ? `: ${alert.ack.comment}` : ''}`]);
  }
  facts.push([w.id, alert.id]);

  const title = `[${whatHappened(w, alert, reason)}] ${d.title[language]} · ${d.place[language]}`;
  const separator = language === 'zh' ? '：' : ': ';
  return {
    title,
    reason,
    severity: alert.severity,
    facts,
    links: [...links],
    mobiles: [...audience.mobiles],
    text: [
      title,
      '',
      ...facts.map(([k, v]) => `${k}${separator}${v}`),
      ...(links.length > 0 ? ['', ...links.map((l) => `${l.label}${separator}${l.url}`)] : []),
    ].join('\n'),
    markdown: [
      `### ${inertMarkdown(title)}`,
      ...facts.map(([k, v]) => `> **${k}**${separator}${inertMarkdown(v)}`),
    ].join('\n'),
    markdownLinks:
      links.length > 0
        ? `**${w.links}**${separator}${links.map((l) => `[${inertMarkdown(l.label)}](${l.url})`).join(' · ')}`
        : '',
    mentionText: `${(alert.state === 'resolved' ? w.mentionResolved : w.mention)(w.severity[alert.severity])} ${title}`,
  };
}
