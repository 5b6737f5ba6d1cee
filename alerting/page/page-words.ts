import type { Severity } from '../../contracts/index.js';
import type { AlertState, TimelineEntry } from '../engine/alert-schema.js';
import type { PersonRole } from '../people/person-schema.js';

/** A phrase in Chinese with its English beside it, as everything on the page is shown. */
export interface Words {
  zh: string;
  en: string;
}

const w = (zh: string, en: string): Words => ({ zh, en });

export const SEVERITY_WORDS: Record<Severity, Words> = {
  critical: w('严重', 'critical'),
  warning: w('警告', 'warning'),
  info: w('提示', 'info'),
};

export const STATE_WORDS: Record<AlertState, Words> = {
  pending: w('待定', 'pending'),
  firing: w('告警中', 'firing'),
  resolved: w('已恢复', 'resolved'),
};

export const ROLE_WORDS: Record<PersonRole, Words> = {
  viewer: w('查看者', 'viewer'),
  operator: w('值班员', 'operator'),
  admin: w('管理员', 'admin'),
};

export const TIMELINE_WORDS: Record<TimelineEntry['type'], Words> = {
  pending: w('开始观察', 'condition seen'),
  firing: w('触发告警', 'fired'),
  resolved: w('已恢复', 'resolved'),
  acknowledged: w('已确认', 'acknowledged'),
  silenced: w('已静默', 'silenced'),
  notified: w('发出通知', 'notified'),
  reminder: w('再次提醒', 'reminded'),
  escalated: w('已升级', 'escalated'),
  flapping: w('状态反复变化，暂缓恢复', 'flapping: resolution held'),
  note: w('备注', 'note'),
  inhibited: w('由事件解释，暂不单独通知', 'explained by an incident: not notified on its own'),
  inhibition_ended: w('事件已结束，恢复单独通知', 'incident over: notified on its own again'),
};

export const WORDS = {
  appName: w('乡村告警', 'Village alerts'),
  alerts: w('告警', 'Alerts'),
  people: w('人员', 'People'),
  roster: w('值班表', 'Duty roster'),
  account: w('我的账户', 'My account'),
  logout: w('退出', 'Log out'),
  login: w('登录', 'Log in'),
  loginName: w('账号或手机号', 'Account or phone number'),
  password: w('密码', 'Password'),
  wrongLogin: w('账号或密码错误', 'Wrong account or password'),
  firingNow: w('正在告警', 'Firing now'),
  pending: w('待定（条件已出现，等待确认时长）', 'Pending (condition seen, waiting for its duration)'),
  nothingFiring: w('目前没有告警', 'Nothing is firing'),
  recentlyResolved: w('最近恢复', 'Recently resolved'),
  channelFailing: w('通知通道故障：告警可能送不到', 'Notification channel failing: alerts may not arrive'),
  lastError: w('最近错误', 'last error'),
  acknowledgedBy: w('已确认', 'acknowledged by'),
  silenced: w('已静默', 'silenced'),
  onDuty: w('值班', 'On duty'),
  nobodyOnDuty: w('无人值班', 'nobody on duty'),
  what: w('事件', 'What'),
  state: w('状态', 'State'),
  zone: w('片区', 'Zone'),
  building: w('建筑', 'Building'),
  device: w('设备', 'Device'),
  gateway: w('网关', 'Gateway'),
  value: w('数值', 'Value'),
  limit: w('限值', 'Limit'),
  detail: w('详情', 'Detail'),
  clause: w('依据', 'Clause'),
  since: w('开始时间', 'Since'),
  resolvedAt: w('恢复时间', 'Resolved at'),
  occurrences: w('次数', 'Occurrences'),
  alertId: w('告警编号', 'Alert id'),
  comment: w('说明', 'Comment'),
  timeline: w('经过', 'Timeline'),
  acknowledge: w('确认收到', 'Acknowledge'),
  ackComment: w('处理说明（可不填）', 'What you are doing (optional)'),
  silence: w('静默', 'Silence'),
  silenceFor: w('静默时长', 'Silence for'),
  silenceCriticalAdminOnly: w('严重告警只有管理员可以静默', 'Only an admin can silence a critical alert'),
  addNote: w('添加备注', 'Add a note'),
  note: w('备注', 'Note'),
  viewerReadOnly: w('查看者只能查看，不能操作', 'Viewers can look but not act'),
  done: {
    ack: w('已确认，其他值班人员会收到通知', 'Acknowledged; the others are told'),
    silence: w('已静默', 'Silenced'),
    note: w('备注已保存', 'Note saved'),
    password: w('密码已修改，其他设备上的登录已退出', 'Password changed; other devices are logged out'),
    saved: w('已保存', 'Saved'),
  },
  delivered: w('已送达', 'delivered'),
  deliveryFailing: w('发送失败', 'delivery failing'),
  deliveryPending: w('等待发送', 'waiting to send'),
  deliverySuperseded: w('未发送：告警已先恢复', 'not sent: the alert had resolved first'),
  deliverySupersededByAck: w('未发送：告警已被确认', 'not sent: the alert had been acknowledged'),
  /** Why, for a reminder or an escalation held past the acknowledgement (notify/held-alarm.ts). */
  supersededAcknowledged: w(
    '告警已有人确认，不再提醒或升级',
    'someone had acknowledged the alert, so no reminder or escalation',
  ),
  /** Why, for a reminder or an escalation held past the recovery (notify/held-alarm.ts). */
  supersededReminder: w(
    '告警已恢复，不再提醒；该通道已收到或将收到恢复通知',
    'the alert had resolved, so no reminder; this channel has or will have the recovery',
  ),
  supersededEscalation: w(
    '告警已恢复，不再升级；该联系人已收到此告警及其恢复通知',
    'the alert had resolved, so no escalation; this contact has the alarm and its recovery',
  ),
  back: w('返回告警列表', 'Back to the alerts'),
  forbidden: w('没有权限', 'Not allowed'),
  notFound: w('找不到这条告警', 'No such alert'),
  csrf: w('表单已过期，请返回重新提交', 'The form has expired: go back and submit it again'),
  linkInvalid: w('链接无效', 'This link is not valid'),
  linkInvalidWhy: w(
    '链接不完整或被改动过。请打开最新的通知，或登录告警页面处理。',
    'It is incomplete or was changed. Open the latest notification, or log in to the page.',
  ),
  linkExpired: w('链接已过期', 'This link has expired'),
  linkExpiredWhy: w('请登录告警页面处理这条告警。', 'Log in to the page to act on this alert.'),
  linkUsed: w('链接已使用过', 'This link was already used'),
  linkUsedWhy: w(
    '每个确认链接只能用一次。请登录告警页面查看。',
    'Each acknowledge link works once. Log in to the page to see the alert.',
  ),
  linkNotAllowed: w('此链接的持有人不能确认告警', 'The person of this link may not acknowledge alerts'),
  alreadyAcked: w('这条告警已经有人确认', 'Someone already acknowledged this alert'),
  alertResolved: w('这条告警已恢复，无需确认', 'This alert has resolved; nothing to acknowledge'),
  linkFor: w('链接持有人', 'Link for'),
  loginToAct: w('登录后可以静默或添加备注', 'Log in to silence it or add a note'),
  newPassword: w('新密码', 'New password'),
  newPasswordAgain: w('再输入一次新密码', 'New password again'),
  currentPassword: w('当前密码', 'Current password'),
  changePassword: w('修改密码', 'Change password'),
  passwordsDiffer: w('两次输入的新密码不一致', 'The new passwords differ'),
  shownOnce: w('只显示这一次，请交给本人', 'Shown only this once: hand it to the person'),
  addPerson: w('添加人员', 'Add a person'),
  personId: w('账号（小写字母、数字、-）', 'Account (lowercase letters, digits, -)'),
  name: w('姓名', 'Name'),
  phone: w('手机号（用于 @ 提醒）', 'Mobile number (for @-mentions)'),
  role: w('角色', 'Role'),
  disabled: w('停用', 'Disabled'),
  save: w('保存', 'Save'),
  resetPassword: w('重设密码', 'Reset password'),
  noPassword: w('未设密码（只能用通知里的链接）', 'no password (links only)'),
  invalidInput: w('输入有误', 'Please correct the input'),
};

export const WEEKDAY_WORDS: Record<string, Words> = {
  mon: w('周一', 'Mon'),
  tue: w('周二', 'Tue'),
  wed: w('周三', 'Wed'),
  thu: w('周四', 'Thu'),
  fri: w('周五', 'Fri'),
  sat: w('周六', 'Sat'),
  sun: w('周日', 'Sun'),
};

export const ROSTER_WORDS = {
  shifts: w('班次', 'Shifts'),
  when: w('日期', 'When'),
  weekly: w('每周', 'Weekly'),
  dates: w('指定日期（YYYY-MM-DD，多个用逗号隔开）', 'On dates (YYYY-MM-DD, comma separated)'),
  from: w('开始', 'From'),
  to: w('结束', 'To'),
  people: w('值班人员（第一位先通知）', 'People (the first is called first)'),
  escalation: w('升级通知（长时间未确认时）', 'Escalate to (when nobody acknowledges in time)'),
  fromConfig: w('来自配置文件', 'from the config file'),
  editedBy: w('页面修改', 'edited on the page by'),
  unknown: w(
    '值班表中有未建账号的人员，通知会跳过他们',
    'The roster names people without an account: they are skipped',
  ),
  overnight: w('结束早于开始表示跨夜', 'an end before the start runs overnight'),
  newShift: w('新班次', 'New shift'),
  remove: w('删除此班次', 'Remove this shift'),
  noSites: w('没有站点', 'No sites'),
};

export const SILENCE_CHOICES_S = [30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600] as const;

export function durationWords(seconds: number): Words {
  return seconds < 3600
    ? w(`${seconds / 60} 分钟`, `${seconds / 60} min`)
    : w(`${seconds / 3600} 小时`, `${seconds / 3600} h`);
}
