import { rowsOf, type VillageStack } from '../../../stack/index.js';

/** Every measurement a message with a device seq can land in. */
const SEQ_MEASUREMENTS = ['electricity', 'water', 'device_status', 'safety_event'];

/** device → every stored seq, one entry per point (so a seq stored twice appears twice). */
export async function storedSeqs(stack: VillageStack): Promise<Map<string, number[]>> {
  const influxd = stack.influxd;
  if (!influxd) throw new Error('the fault tests need the managed influxd');
  const from = SEQ_MEASUREMENTS.map((m) => `"${m}"`).join(',');
  const rows = rowsOf(
    await influxd.query(stack.database, `SELECT "seq","device" FROM ${from} WHERE "seq" >= 0`),
  );
  const byDevice = new Map<string, number[]>();
  for (const row of rows) {
    const device = row.device;
    const seq = row.seq;
    if (typeof device !== 'string' || typeof seq !== 'number') continue;
    let list = byDevice.get(device);
    if (!list) byDevice.set(device, (list = []));
    list.push(seq);
  }
  return byDevice;
}

/** device → [count(seq), count(distinct(seq))] as InfluxDB itself counts them, for seqs ≥ `minSeq`. */
export async function storedCounts(
  stack: VillageStack,
  measurement: string,
  minSeq = 0,
): Promise<Map<string, { count: number; distinct: number }>> {
  const influxd = stack.influxd;
  if (!influxd) throw new Error('the fault tests need the managed influxd');
  const rows = rowsOf(
    await influxd.query(
      stack.database,
      `SELECT count("seq") AS n, count(distinct("seq")) AS d FROM "${measurement}" WHERE "seq" >= ${minSeq} GROUP BY "device"`,
    ),
  );
  const counts = new Map<string, { count: number; distinct: number }>();
  for (const row of rows) {
    if (typeof row.device !== 'string') continue;
    counts.set(row.device, { count: Number(row.n), distinct: Number(row.d) });
  }
  return counts;
}
