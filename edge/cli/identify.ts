import {
  CATALOGUE,
  CJT188_METER_TYPES,
  planReads,
  type Cjt188Profile,
  type DecodedReading,
  type Dlt645Profile,
  type ModbusProfile,
} from '../../devices/index.js';
import type { BusConfig } from '../config/edge-config-schema.js';
import { createCjt188Transport } from '../cjt188/cjt188-transport.js';
import { toCjt188Error } from '../cjt188/cjt188-error.js';
import { readCjt188Meter } from '../cjt188/read-meter.js';
import { createDlt645Transport } from '../dlt645/create-dlt645-line.js';
import { toDlt645Error } from '../dlt645/dlt645-error.js';
import { readDlt645Meter } from '../dlt645/read-meter.js';
import { createTransport } from '../modbus/create-transport.js';
import { toModbusError } from '../modbus/modbus-error.js';
import { readDevice } from '../modbus/read-device.js';
import type { EdgeError } from '../errors.js';
import { plausibility, type Plausibility } from './plausibility.js';
import { cliLogger, type Print } from './print.js';
import { readLineAddress, type MeterLineBus } from './read-address.js';
import { explainError, unitText } from './text.js';

/** One catalogue profile tried against the device: how plausible its reading was, or why it failed. */
interface Candidate {
  profile: { id: string; vendor: string; model: string };
  result: { kind: 'read'; plausibility: Plausibility } | { kind: 'failed'; error: EdgeError };
}

const polled = <P extends 'modbus' | 'dlt645' | 'cjt188'>(protocol: P) =>
  CATALOGUE.filter((p) => p.protocol === protocol) as Array<
    Extract<(typeof CATALOGUE)[number], { protocol: P }>
  >;

/**
 * Reads a Modbus device with every Modbus profile of the catalogue and ranks the
 * profiles by how plausible their readings are (a voltage near 230 V, a frequency near
 * 50 Hz …), so a technician can pick the profile without the manual. Exit code 1 if
 * no profile reads anything plausible.
 */
export async function identifyModbusDevice(bus: BusConfig, unitId: number, print: Print): Promise<number> {
  const transport = createTransport(bus, cliLogger);
  print(`识别 Identifying unit ${unitId} on ${transport.description}`);
  const candidates: Candidate[] = [];
  try {
    for (const profile of polled('modbus')) {
      candidates.push(
        await tryProfile(
          profile,
          () =>
            readDevice(
              transport,
              profile as ModbusProfile,
              planReads(profile as ModbusProfile),
              unitId,
              bus.timeoutMs,
              () => undefined,
            ),
          (error) => toModbusError(error, `unit ${unitId}`),
        ),
      );
      if (isLineGone(candidates)) break;
    }
  } finally {
    await transport.close();
  }
  return report(candidates, print, (id) => `--unit ${unitId} --profile ${id}`);
}

/**
 * The same for a DL/T 645 or CJ/T 188 meter: its address from the command line, or
 * read from the line when it is the only meter there.
 */
export async function identifyMeter(
  bus: MeterLineBus,
  address: string | undefined,
  print: Print,
): Promise<number> {
  let meterAddress = address;
  let meterType: number | undefined;
  if (!meterAddress) {
    const found = await readLineAddress(bus);
    if (found.kind !== 'found') {
      print(
        found.kind === 'unavailable'
          ? `✘ ${explainError(found.error.code, found.error.detail)}`
          : '✘ 读不到表地址，请用 --address 给出铭牌地址 / cannot read the meter address: give the nameplate address with --address',
      );
      return 1;
    }
    meterAddress = found.meter.address;
    meterType = found.meter.meterType;
  }
  const candidates: Candidate[] = [];
  if (bus.protocol === 'dlt645') {
    const transport = createDlt645Transport(bus, cliLogger);
    print(`识别 Identifying meter ${meterAddress} on ${transport.description}`);
    try {
      for (const profile of polled('dlt645')) {
        candidates.push(
          await tryProfile(
            profile,
            () =>
              readDlt645Meter(
                transport,
                profile as Dlt645Profile,
                meterAddress,
                bus.timeoutMs,
                () => undefined,
              ),
            (error) => toDlt645Error(error, `meter ${meterAddress}`),
          ),
        );
      }
    } finally {
      await transport.close();
    }
  } else {
    const transport = createCjt188Transport(bus, cliLogger);
    const type =
      meterType === undefined
        ? ''
        : ` (T=${meterType.toString(16).toUpperCase()} ${CJT188_METER_TYPES[meterType]?.zh ?? '?'})`;
    print(`识别 Identifying meter ${meterAddress}${type} on ${transport.description}`);
    try {
      for (const profile of polled('cjt188') as Cjt188Profile[]) {
        if (meterType !== undefined && meterType !== profile.meterType) continue;
        candidates.push(
          await tryProfile(
            profile,
            () => readCjt188Meter(transport, profile, meterAddress, bus.timeoutMs, () => undefined),
            (error) => toCjt188Error(error, `meter ${meterAddress}`),
          ),
        );
      }
    } finally {
      await transport.close();
    }
  }
  return report(candidates, print, (id) => `--address ${meterAddress} --profile ${id}`);
}

async function tryProfile(
  profile: Candidate['profile'],
  read: () => Promise<DecodedReading>,
  coded: (error: unknown) => EdgeError,
): Promise<Candidate> {
  try {
    return { profile, result: { kind: 'read', plausibility: plausibility(await read()) } };
  } catch (error) {
    return { profile, result: { kind: 'failed', error: coded(error) } };
  }
}

/** A line that cannot be opened fails every profile alike: stop trying. */
function isLineGone(candidates: readonly Candidate[]): boolean {
  const last = candidates[candidates.length - 1]?.result;
  return last?.kind === 'failed' && last.error.code.endsWith('_CONNECT');
}

function report(candidates: readonly Candidate[], print: Print, suggestion: (id: string) => string): number {
  const gone = candidates.find((c) => c.result.kind === 'failed' && c.result.error.code.endsWith('_CONNECT'));
  if (gone?.result.kind === 'failed') {
    print(`✘ ${explainError(gone.result.error.code, gone.result.error.detail)}`);
    return 1;
  }
  const read = candidates
    .flatMap((c) =>
      c.result.kind === 'read' && c.result.plausibility.score > 0 ? [{ ...c, p: c.result.plausibility }] : [],
    )
    .sort((a, b) => b.p.score - a.p.score);
  print('可能的型号（按可信度排序）/ Profiles that fit, most plausible first:');
  read.forEach(({ profile, p }, i) => {
    print(`${i + 1}. ${profile.id}  ${profile.vendor} ${profile.model}  得分 score ${p.score}`);
    for (const e of p.evidence)
      print(`     ${e.field} = ${e.value} ${unitText(e.field)} — ${e.zh} / ${e.en}`.replace(/ {2,}—/, ' —'));
    if (p.rejected.length) print(`     ✘ 超出范围 out of range: ${p.rejected.join(', ')}`);
  });
  const unlikely = candidates.filter((c) => !read.some((r) => r.profile.id === c.profile.id));
  for (const { profile, result } of unlikely) {
    const why =
      result.kind === 'failed'
        ? `[${result.error.code}] ${result.error.detail ?? ''}`.trim()
        : `无合理读数 / no plausible value${result.plausibility.rejected.length ? ` (✘ ${result.plausibility.rejected.join(', ')})` : ''}`;
    print(`·  ${profile.id}: ${why}`);
  }
  const best = read[0];
  if (!best) {
    print(
      '没有型号符合 / no profile fits: 检查地址和接线，或该型号不在目录中 / check the address and wiring, or the model is not in the catalogue',
    );
    return 1;
  }
  print(`下一步 Next: probe ${suggestion(best.profile.id)}`);
  return 0;
}
