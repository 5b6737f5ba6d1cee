import { escapeHtml } from '../../runtime/index.js';
import { CATALOGUE, fieldLabels, profileFields, UNITS } from '../../devices/index.js';
import { EDGE_ERROR_CATALOGUE } from '../errors.js';

/** Configuration the technician must know about, shown above everything else. */
export interface PageWarnings {
  /** The LAN broker takes devices without credentials (`lan.allowAnonymous`). */
  lanAnonymous: boolean;
}

const LAN_ANONYMOUS_WARNING = `<div class="warning" id="lan-anonymous-warning" role="alert">
  <b>局域网 MQTT 允许匿名接入</b>：局域网内任何人都可以冒充已配置的设备发布消息（例如伪造或清除火警）。
  请用 <code>edge/cli.ts lan add</code> 为每台设备生成凭据，然后关闭 <code>lan.allowAnonymous</code>。
  <br><span class="en">The LAN MQTT broker accepts anonymous devices: anyone on the LAN can publish as any configured
  device (raise or clear a fire alarm). Give each device a credential with <code>edge/cli.ts lan add</code>, then turn
  <code>lan.allowAnonymous</code> off.</span>
</div>`;

/**
 * The technician's page at `/`: plain HTML and one small script that polls
 * `/api/devices` and `/api/status` every 2 s. No framework, no CDN: the cabinet's
 * laptop may have no internet. Values are set with textContent, never as HTML.
 */
export function statusPageHtml(title: string, warnings: PageWarnings = { lanAnonymous: false }): string {
  const units = Object.fromEntries(Object.entries(UNITS).map(([suffix, unit]) => [suffix, unit.symbol]));
  const errors = EDGE_ERROR_CATALOGUE;
  const labels = fieldLabels(new Set(CATALOGUE.flatMap(profileFields)));
  const models = Object.fromEntries(CATALOGUE.map((p) => [p.id, `${p.vendor} ${p.model}`]));
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · 网关状态 Gateway status</title>
<style>
  body { font: 15px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; margin: 1rem; color: #222; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  .en { color: #666; font-size: .85em; }
  .summary { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin: .5rem 0 1rem; }
  .summary div { background: #f3f5f7; padding: .4rem .7rem; border-radius: 4px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f3f5f7; }
  .online { color: #0a7d32; font-weight: 600; }
  .offline { color: #b3261e; font-weight: 600; }
  .unknown { color: #777; }
  .error { color: #b3261e; }
  .values span { display: inline-block; margin-right: .8rem; white-space: nowrap; }
  .values .abnormal { color: #b3261e; font-weight: 600; }
  .bad { color: #b3261e; font-weight: 600; }
  .ok { color: #0a7d32; }
  .refused { color: #b3261e; font-weight: 600; display: block; }
  h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
  #stale { color: #b3261e; display: none; }
  .warning { border: 2px solid #b3261e; background: #fdecea; padding: .5rem .8rem; margin: .5rem 0 1rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)} 网关状态 <span class="en">Gateway status</span></h1>
<p id="stale">无法连接网关 / Cannot reach the gateway</p>
${warnings.lanAnonymous ? LAN_ANONYMOUS_WARNING : ''}
<div class="summary">
  <div>上行 <span class="en">Uplink</span>: <b id="uplink">…</b></div>
  <div>缓存条数 <span class="en">Buffered</span>: <b id="buffer-depth">…</b></div>
  <div>缓存大小 <span class="en">Buffer size</span>: <b id="buffer-bytes">…</b></div>
  <div>已丢弃 <span class="en">Dropped</span>: <b id="buffer-dropped">…</b></div>
  <div>运行时间 <span class="en">Uptime</span>: <b id="uptime">…</b></div>
  <div>软件版本 <span class="en">Version</span>: <b id="version">…</b></div>
  <div>时钟 <span class="en">Clock</span>: <b id="clock">…</b></div>
</div>
<table>
<thead><tr>
  <th>设备 <span class="en">Device</span></th>
  <th>状态 <span class="en">State</span></th>
  <th>最新读数 <span class="en">Last values</span></th>
  <th>成功率 <span class="en">Success</span></th>
  <th>延迟 <span class="en">Latency</span></th>
  <th>最近错误 <span class="en">Last error</span></th>
</tr></thead>
<tbody id="devices"></tbody>
</table>
<h2>平台拒收 <span class="en">What the platform refused</span></h2>
<p id="platform" class="en">…</p>
<table id="rejections-table">
<thead><tr>
  <th>原因 <span class="en">Reason</span></th>
  <th>设备 <span class="en">Device</span></th>
  <th>次数 <span class="en">Count</span></th>
  <th>最近 <span class="en">Last</span></th>
</tr></thead>
<tbody id="rejections"></tbody>
</table>
<script>
const UNITS = ${JSON.stringify(units)};
const ERRORS = ${JSON.stringify(errors)};
const LABELS = ${JSON.stringify(labels)};
const MODELS = ${JSON.stringify(models)};
/** Ingest refuses readings stamped more than 5 minutes ahead (CLOCK_SKEW). */
const CLOCK_LIMIT_MS = 300000;
let refusedByDevice = {};
let names = {};
function unitOf(field) {
  const suffix = field.slice(field.lastIndexOf('_') + 1);
  return field.includes('_') && suffix in UNITS ? UNITS[suffix] : '';
}
function cell(row, text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (text !== undefined) td.textContent = text;
  row.appendChild(td);
  return td;
}
function bytes(n) {
  return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B';
}
function age(ts) {
  if (!ts) return '';
  const s = Math.round((Date.now() - ts) / 1000);
  return s < 60 ? s + ' 秒前 / s ago' : Math.round(s / 60) + ' 分钟前 / min ago';
}
function plainError(error) {
  const entry = ERRORS[error.code];
  const cut = error.message.indexOf(' — ');
  const detail = cut >= 0 ? error.message.slice(cut + 3) : '';
  return { words: entry ? entry.zh + ' / ' + entry.en : error.message, detail };
}
function line(parent, text, className) {
  const div = document.createElement('div');
  if (className) div.className = className;
  div.textContent = text;
  parent.appendChild(div);
  return div;
}
function renderDevice(device) {
  const row = document.createElement('tr');
  row.dataset.device = device.id;
  const name = cell(row);
  const title = document.createElement('b');
  title.className = 'name';
  title.textContent = device.name || device.id;
  name.appendChild(title);
  line(name, (device.name ? device.id + ' · ' : '') + (MODELS[device.profile] || device.profile) + (device.bus ? ' · ' + device.bus : ''), 'en');
  const state = device.online === true ? ['在线 / online', 'online'] : device.online === false ? ['离线 / offline', 'offline'] : ['未知 / unknown', 'unknown'];
  const stateCell = cell(row, state[0], 'state ' + state[1]);
  for (const refusal of refusedByDevice[device.id] || []) {
    const entry = ERRORS[refusal.code];
    line(stateCell, '平台拒收 refused: ' + refusal.code + (entry ? ' ' + entry.zh + ' / ' + entry.en : ''), 'refused');
  }
  const values = cell(row, undefined, 'values');
  for (const [field, value] of Object.entries(device.lastValues)) {
    const span = document.createElement('span');
    const label = LABELS[field];
    span.dataset.field = field;
    span.textContent = (label ? label.zh + ' ' + label.en : field) + ' ' + value + (unitOf(field) ? ' ' + unitOf(field) : '');
    if (label && label.normal && (value < label.normal[0] || value > label.normal[1])) {
      span.className = 'abnormal';
      span.title = '正常范围 normal ' + label.normal[0] + '–' + label.normal[1] + (label.source ? ' (' + label.source + ')' : '');
    }
    values.appendChild(span);
  }
  if (device.lastValuesTs) {
    const when = document.createElement('div');
    when.className = 'en';
    when.textContent = age(device.lastValuesTs);
    values.appendChild(when);
  }
  const total = device.successCount + device.errorCount;
  cell(row, total ? Math.round((100 * device.successCount) / total) + ' % (' + device.successCount + '/' + total + ')' : '—', 'rate');
  cell(row, device.lastLatencyMs !== undefined && device.lastLatencyMs !== null ? device.lastLatencyMs + ' ms' : '—', 'latency');
  const errorCell = cell(row, undefined, 'error');
  if (device.lastError) {
    const { words, detail } = plainError(device.lastError);
    errorCell.textContent = words;
    const more = document.createElement('div');
    more.className = 'en';
    more.textContent = [detail, age(device.lastError.ts)].filter(Boolean).join(' · ');
    errorCell.appendChild(more);
  }
  return row;
}
function renderClock(clock) {
  const el = document.getElementById('clock');
  const ntp = clock.ntpSynchronized === true ? 'NTP 已同步 / synchronised' : clock.ntpSynchronized === false ? 'NTP 未同步 / not synchronised' : 'NTP 状态未知 / unknown';
  const offset = clock.platformOffsetMs;
  const ahead = offset === undefined || offset === null ? '' : ' · 与平台相差 offset ' + (-offset / 1000).toFixed(1) + ' s';
  el.textContent = ntp + ahead;
  const bad = clock.ntpSynchronized === false || (offset !== undefined && offset !== null && Math.abs(offset) > CLOCK_LIMIT_MS);
  el.className = bad ? 'bad' : clock.ntpSynchronized === true ? 'ok' : '';
  el.title = bad ? '平台拒收时间偏差超过 5 分钟的数据 / the platform refuses readings more than 5 minutes off (CLOCK_SKEW)' : '';
}
function renderPlatform(platform, devices) {
  const about = document.getElementById('platform');
  const body = document.getElementById('rejections');
  names = Object.fromEntries(devices.filter((d) => d.name).map((d) => [d.id, d.name]));
  refusedByDevice = {};
  if (!platform) {
    about.textContent = '未配置平台地址 (platform.url)，无法得知平台是否拒收 / no platform URL configured: cannot tell what the platform refused';
    body.replaceChildren();
    return;
  }
  about.textContent = platform.reachable === false
    ? '无法连接平台 / cannot reach the platform: ' + (platform.error || '')
    : platform.checkedAt ? '最近检查 checked ' + age(platform.checkedAt) + (platform.error ? ' · ' + platform.error : '') : '…';
  about.className = platform.reachable === false || platform.error ? 'bad' : 'en';
  const rows = platform.rejections.map((refusal) => {
    if (refusal.device) (refusedByDevice[refusal.device] = refusedByDevice[refusal.device] || []).push(refusal);
    const row = document.createElement('tr');
    const entry = ERRORS[refusal.code];
    const reason = cell(row, refusal.code + (entry ? ' ' + entry.zh : ''), 'bad');
    line(reason, (entry ? entry.en + ' · ' : '') + refusal.reason, 'en');
    cell(row, refusal.device ? (names[refusal.device] || refusal.device) : '—');
    cell(row, String(refusal.count));
    cell(row, age(refusal.lastTs));
    return row;
  });
  if (rows.length === 0) {
    const row = document.createElement('tr');
    cell(row, '无 / none', 'ok').colSpan = 4;
    rows.push(row);
  }
  body.replaceChildren(...rows);
}
async function refresh() {
  try {
    const [devices, status] = await Promise.all([
      fetch('api/devices').then((r) => r.json()),
      fetch('api/status').then((r) => r.json()),
    ]);
    document.getElementById('stale').style.display = 'none';
    document.getElementById('uplink').textContent = status.upstream.connected
      ? '已连接 / connected' + (status.buffer.replaying ? '（补传中 / replaying）' : '')
      : '断开 / disconnected';
    document.getElementById('buffer-depth').textContent = String(status.buffer.depth);
    document.getElementById('buffer-bytes').textContent = bytes(status.buffer.bytes);
    document.getElementById('buffer-dropped').textContent = String(status.buffer.dropped) + (status.buffer.diskLow ? ' (磁盘空间不足 / disk low)' : '');
    document.getElementById('uptime').textContent = status.uptime_words;
    document.getElementById('version').textContent = status.version;
    renderClock(status.clock);
    renderPlatform(status.platform, devices.devices);
    document.getElementById('devices').replaceChildren(...devices.devices.map(renderDevice));
  } catch (error) {
    document.getElementById('stale').style.display = 'block';
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
}
