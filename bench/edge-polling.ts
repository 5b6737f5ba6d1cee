/**
 * Edge gateway cost: CPU and RSS of a gateway process (`edge/main.ts --config <generated
 * yaml>`, built when run by `npm run bench`) polling 100 and 500 simulated Modbus TCP
 * meters every second (10 meters per bus/converter, a mix of profiles), publishing per device to an
 * upstream aedes; and Modbus transactions per poll cycle with the read planner
 * (devices' planReads, counted on the server side) vs one read per field.
 * Sizes alternate, ROUNDS times; medians.
 *
 *   npm run bench -- edge-polling [--quick] [--rounds N]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  auxiliaryRegisters,
  getModbusProfile,
  planReads,
  resolveRegisters,
  type ModbusProfile,
} from '../devices/index.js';
import { startBenchGateway } from './support/bench-gateway.js';
import { startBroker } from './support/brokers.js';
import { measureWindow, type WindowResult } from './support/measure-window.js';
import { ModbusFarm } from './support/modbus-farm.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtMiB, markdownTable, median, print } from './support/report.js';
import { SubscriberProcess } from './support/subscriber-process.js';
import { removeUnlessKept } from './support/bench-folder.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const timing = args.quick ? { warmupS: 3, measureS: 3 } : { warmupS: 8, measureS: 20 };
const SIZES = [100, 500] as const;
const METERS_PER_BUS = 10;
/** Unit id u (1-based) on every bus gets profile MIX[(u - 1) % MIX.length]. */
const MIX = ['chint-dtsu666', 'eastron-sdm120', 'chint-ddsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: METERS_PER_BUS }, (_, i) => MIX[i % MIX.length] as string);

const dir = mkdtempSync(join(tmpdir(), 'village-bench-edge-'));
const farm = new ModbusFarm({ buses: Math.max(...SIZES) / METERS_PER_BUS, profiles: unitProfiles, dir });
const upstream = await startBroker('aedes', dir);
const subscriber = new SubscriberProcess({ url: upstream.url, filter: 'v1/#', qos: 1, dir });
interface EdgeRun {
  window: WindowResult;
  requestsPerS: number;
  messagesPerS: number;
}
const results = new Map<number, EdgeRun[]>();
const loadBefore = loadAverage();
const startedAt = new Date();

async function runGateway(meters: number, round: number): Promise<EdgeRun> {
  const { child: gateway } = await startBenchGateway(
    {
      at: join(dir, `edge-${meters}-${round}`),
      upstream: { url: upstream.url, clientId: `gw-bench-${meters}-${round}` },
      farm,
      buses: meters / METERS_PER_BUS,
    },
    { waitFor: '/healthz' },
  );
  try {
    // measureWindow reads progress twice, at the start and at the end of its window.
    const received: number[] = [];
    const window = await measureWindow({
      ...timing,
      progress: async () => {
        received.push(subscriber.received);
        return farm.requests();
      },
      processes: { gateway: gateway.pid },
    });
    const messagesPerS = ((received[1] ?? 0) - (received[0] ?? 0)) / window.wallS;
    return { window, requestsPerS: window.rate, messagesPerS };
  } finally {
    await gateway.stop();
  }
}

try {
  await farm.start();
  await subscriber.start();
  for (let round = 1; round <= rounds; round++) {
    for (const meters of round % 2 === 1 ? SIZES : [...SIZES].reverse()) {
      results.set(meters, [...(results.get(meters) ?? []), await runGateway(meters, round)]);
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await subscriber.stop();
  await farm.stop();
  await upstream.stop();
  removeUnlessKept(dir);
}

/** Transactions and wire time of one poll of a profile: planned reads vs one read per field (and per auxiliary register). */
function pollCost(profile: ModbusProfile): {
  planned: number;
  perField: number;
  plannedWireMs: number;
  perFieldWireMs: number;
} {
  // Modbus RTU at 9600 baud 8N1: 10 bits a character; request 8 bytes, reply 5 + 2n; 3.5 characters of silence after each frame.
  const charMs = 10 / 9.6;
  const wireMs = (registers: number) => (8 + 3.5 + 5 + 2 * registers + 3.5) * charMs;
  const plan = planReads(profile);
  const singles = [
    ...resolveRegisters(profile).map((r) => r.width as number),
    ...auxiliaryRegisters(profile).map(() => 1),
  ];
  return {
    planned: plan.length,
    perField: singles.length,
    plannedWireMs: plan.reduce((sum, block) => sum + wireMs(block.count), 0),
    perFieldWireMs: singles.reduce((sum, width) => sum + wireMs(width), 0),
  };
}

const plannedPerCycle =
  unitProfiles.reduce((sum, id) => sum + pollCost(getModbusProfile(id)).planned, 0) / METERS_PER_BUS;
print(
  `## edge polling — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s, poll every 1 s`,
);
print(
  `load average before: ${loadBefore}; after: ${loadAverage()}; meters per bus ${METERS_PER_BUS}, profiles ${MIX.join(', ')}; per-device publish to a bare aedes`,
);
print();
const rows = SIZES.map((meters) => {
  const runs = results.get(meters) ?? [];
  const cores = runs.map((r) => (r.window.cpuS.gateway ?? 0) / r.window.wallS);
  const perDevicePoll = runs.map((r) => r.requestsPerS / meters);
  return [
    String(meters),
    `${fmt(median(cores) * 100, 1)} % of a core (${runs.map((_, i) => fmt((cores[i] ?? 0) * 100, 1)).join(' / ')})`,
    `${fmt((median(cores) * 1e6) / meters, 0)} µs`,
    fmtMiB(median(runs.map((r) => r.window.peakRssBytes.gateway ?? Number.NaN))),
    fmtInt(median(runs.map((r) => r.requestsPerS))),
    fmt(median(perDevicePoll), 2),
    fmtInt(median(runs.map((r) => r.messagesPerS))),
  ];
});
print(
  markdownTable(
    [
      'meters',
      'gateway CPU (median, per round)',
      'CPU per device-poll',
      'peak RSS',
      'Modbus requests/s (server side)',
      'requests per device-poll',
      'messages/s upstream',
    ],
    rows,
  ),
);
print();
print(
  `Planner expectation for this mix: ${fmt(plannedPerCycle, 2)} transactions per device-poll (a device-poll per meter per second at full rate).`,
);
print();
const profileRows = MIX.map((id) => {
  const cost = pollCost(getModbusProfile(id));
  return [
    id,
    String(cost.planned),
    String(cost.perField),
    `${fmt(cost.perField / cost.planned, 1)}×`,
    `${fmt(cost.plannedWireMs, 0)} ms`,
    `${fmt(cost.perFieldWireMs, 0)} ms`,
  ];
});
const total = unitProfiles.map((id) => pollCost(getModbusProfile(id)));
const sum = (pick: (c: ReturnType<typeof pollCost>) => number) => total.reduce((s, c) => s + pick(c), 0);
profileRows.push([
  `one bus of ${METERS_PER_BUS} meters`,
  String(sum((c) => c.planned)),
  String(sum((c) => c.perField)),
  `${fmt(sum((c) => c.perField) / sum((c) => c.planned), 1)}×`,
  `${fmt(
    sum((c) => c.plannedWireMs),
    0,
  )} ms`,
  `${fmt(
    sum((c) => c.perFieldWireMs),
    0,
  )} ms`,
]);
print(
  'Transactions per poll: read planner vs one read per field (wire time on RS-485 at 9600 8N1, without meter turnaround):',
);
print();
print(
  markdownTable(
    ['profile', 'planned reads', 'one per field', 'ratio', 'planned wire time', 'per-field wire time'],
    profileRows,
  ),
);
