import { expect } from 'vitest';
import type { Site } from '../../../site/index.js';
import { waitFor } from '../../../runtime/index.js';
import type { AlertingVillage } from '../../support/alerting-village.js';
import type { PhoneBrowser } from '../../support/phone-browser.js';
import type { AlertNotice, ReceivedNotice } from '../../support/webhook-receiver.js';

/** An incident a scenario must raise, and how the notification must name it. */
export interface ExpectedIncident {
  rule: string;
  /** The alert's device, or, for incidents about a place, its subject (`zone:dining`, `building:fab-lab`). */
  device?: string;
  subject?: string;
  severity: 'critical' | 'warning';
  /** Chinese words the notification must carry: the incident's title, the names of the place or devices. */
  words: readonly string[];
  /** Judged once a night, say: it does not resolve when the fault clears. */
  staysOpen?: boolean;
}

export interface Scenario {
  /** zh, then en. */
  name: string;
  /** Switched on together, and off in the same order. */
  faults: ReadonlyArray<{ kind: string; target: string }>;
  expect: readonly ExpectedIncident[];
  /** Alerts the incidents explain: they may be open (marked inhibited) but never notify. */
  inhibited?: readonly string[];
  /**
   * A LAN device the fault silences: the gateway's status page must show it 离线 while the
   * fault lasts (and stored events say so for the availability panels), and 在线 after.
   */
  silentDevice?: string;
}

export interface ScenarioTiming {
  rule: string;
  scenario: string;
  toNotificationMs: number;
  toResolvedMs: number | null;
}

/** The night-leak window closes up to 3 minutes after the suite starts, and is judged a batch later. */
const FIRE_TIMEOUT_MS = 300_000;
const RESOLVE_TIMEOUT_MS = 180_000;

/** The devices a fault target stands for: itself, or every device of a zone or building. */
function devicesOf(site: Site, target: string): string[] {
  const inPlace = site.devices.filter((d) => d.zone === target || d.building === target).map((d) => d.id);
  return inPlace.length > 0 ? inPlace : [target];
}

function matchesExpected(notice: AlertNotice, expected: ExpectedIncident): boolean {
  return (
    notice.alert.ruleId === expected.rule &&
    (expected.device === undefined || notice.alert.device === expected.device) &&
    (expected.subject === undefined || notice.alert.subject === expected.subject)
  );
}

/**
 * Runs one scenario on the shared running stack: the simulator's faults on, each
 * expected incident notified at the real receiver with its severity and Chinese text,
 * the alerts it explains inhibited and silent, the faults off, each incident resolved;
 * and nothing else notified about the devices the scenario touched, from start to end.
 */
export interface ScenarioContext {
  village: AlertingVillage;
  site: Site;
  /** Headless Chromium, for the gateway's status page as a technician sees it. */
  browser: PhoneBrowser;
}

export async function runScenario(
  { village, site, browser }: ScenarioContext,
  scenario: Scenario,
): Promise<ScenarioTiming[]> {
  const touched = new Set(scenario.faults.flatMap((f) => devicesOf(site, f.target)));
  const subjects = new Set(scenario.expect.flatMap((e) => (e.subject ? [e.subject] : [])));
  const inScope = (r: ReceivedNotice) =>
    (r.notice.alert.device !== undefined && touched.has(r.notice.alert.device)) ||
    subjects.has(r.notice.alert.subject);
  const from = village.webhook.received.length;
  const started = Date.now();
  const faultIds: string[] = [];
  for (const fault of scenario.faults) faultIds.push(await village.injectFault(fault.kind, fault.target));

  const fired = new Map<ExpectedIncident, ReceivedNotice>();
  for (const expected of scenario.expect) {
    const notice = await waitFor(
      `${scenario.name}: ${expected.rule} notified for ${expected.device ?? expected.subject ?? ''}`,
      () =>
        village.webhook.received
          .slice(from)
          .find((r) => r.notice.reason === 'firing' && matchesExpected(r.notice, expected)),
      { timeoutMs: FIRE_TIMEOUT_MS, intervalMs: 100 },
    );
    expect(notice.signatureValid, scenario.name).toBe(true);
    expect(notice.notice.alert.severity, `${scenario.name}: ${expected.rule}`).toBe(expected.severity);
    for (const word of expected.words)
      expect(`${notice.notice.title}\n${notice.notice.text}`, `${scenario.name}: ${expected.rule}`).toContain(
        word,
      );
    fired.set(expected, notice);
  }

  if (scenario.inhibited && scenario.inhibited.length > 0) {
    const incidentIds = new Set([...fired.values()].map((n) => n.notice.alert.id));
    const open = await village.alerts('?state=firing');
    for (const alert of open.filter(
      (a) => scenario.inhibited?.includes(a.ruleId) && a.device && touched.has(a.device),
    ))
      expect(
        incidentIds.has(alert.inhibitedBy ?? ''),
        `${scenario.name}: ${alert.ruleId} on ${alert.device} inhibited`,
      ).toBe(true);
  }

  if (scenario.silentDevice) await expectGatewayShows(village, browser, scenario.silentDevice, '离线');

  const cleared = Date.now();
  for (const id of faultIds) await village.clearFault(id);
  if (scenario.silentDevice) await expectGatewayShows(village, browser, scenario.silentDevice, '在线');
  const timings: ScenarioTiming[] = [];
  for (const [expected, notice] of fired) {
    let toResolvedMs: number | null = null;
    if (!expected.staysOpen) {
      const resolved = await waitFor(
        `${scenario.name}: ${expected.rule} resolved`,
        () =>
          village.webhook.received
            .slice(from)
            .find((r) => r.notice.reason === 'resolved' && r.notice.alert.id === notice.notice.alert.id),
        { timeoutMs: RESOLVE_TIMEOUT_MS, intervalMs: 100 },
      );
      toResolvedMs = resolved.receivedAt - cleared;
    }
    timings.push({
      rule: expected.rule,
      scenario: scenario.name,
      toNotificationMs: notice.receivedAt - started,
      toResolvedMs,
    });
  }

  // Exactly the expected incidents reached people about what this scenario touched.
  const others = village.webhook.received
    .slice(from)
    .filter(inScope)
    .filter((r) => !scenario.expect.some((e) => matchesExpected(r.notice, e)))
    .map((r) => `${r.notice.reason} ${r.notice.alert.ruleId} ${r.notice.alert.subject}`);
  if (others.length > 0)
    throw new Error(`${scenario.name}: notified besides the expected incidents: ${others.join('; ')}`);
  return timings;
}

/**
 * The gateway's status page (in Chromium, as a technician opens it) shows the device in
 * the given state, and InfluxDB holds the matching device_offline / device_online event
 * the dashboards' availability panels read.
 */
async function expectGatewayShows(
  village: AlertingVillage,
  browser: PhoneBrowser,
  device: string,
  state: '离线' | '在线',
): Promise<void> {
  const { stack } = village;
  const context = await browser.phone();
  try {
    const page = await context.newPage();
    await waitFor(
      `${device} ${state} on the gateway status page`,
      async () => {
        await page.goto(`http://127.0.0.1:${stack.ports.edgeHttp}/`);
        const row = page.locator(`tr[data-device="${device}"]`);
        await row.waitFor({ timeout: 10_000 });
        return (await row.locator('.state').innerText()).includes(state) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    if (state === '离线') {
      // An artefact for people to look at, of the device's row; it proves nothing the text did not.
      await page
        .locator(`tr[data-device="${device}"]`)
        .screenshot({
          path: browser.screenshotPath('scenarios', `status-page-${device}-offline`),
          timeout: 10_000,
        })
        .catch(() => undefined);
    }
  } finally {
    await context.close();
  }
  const type = state === '离线' ? 'device_offline' : 'device_online';
  await waitFor(
    `${type} of ${device} stored`,
    async () => {
      const result = await stack.influxd?.query(
        stack.database,
        `SELECT count(seq) FROM safety_event WHERE device = '${device}' AND "type" = '${type}'`,
      );
      return JSON.stringify(result).includes('"count"') ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}
