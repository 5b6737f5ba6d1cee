import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface InfluxRpc {
  /** influxd's RPC address (`bind-address`, 8088 by default), e.g. `influxdb:8088`. */
  host: string;
  /** The influxd binary: the same release as the server (the image copies InfluxDB 1.8's). */
  binary?: string;
}

/** `influxd backup -portable` of one database into `folder` (made by influxd). */
export async function backupInflux(rpc: InfluxRpc, database: string, folder: string): Promise<void> {
  await influxd(rpc, ['backup', '-portable', '-host', rpc.host, '-database', database, folder]);
}

/**
 * `influxd restore -portable` into a server that does not have the database yet. InfluxDB
 * refuses to restore over an existing database; that refusal is turned into what to do.
 */
export async function restoreInflux(rpc: InfluxRpc, database: string, folder: string): Promise<void> {
  try {
    await influxd(rpc, ['restore', '-portable', '-host', rpc.host, '-db', database, folder]);
  } catch (error) {
    if (/already exist/i.test((error as Error).message)) {
      throw new Error(
        `InfluxDB at ${rpc.host} already has the database "${database}": restore into a fresh server ` +
          '(an empty volume, before ingest first starts) / 目标 InfluxDB 已有该数据库：请恢复到空的 InfluxDB（在入库服务启动之前）',
      );
    }
    throw error;
  }
}

async function influxd(rpc: InfluxRpc, args: string[]): Promise<void> {
  const binary = rpc.binary ?? 'influxd';
  try {
    await run(binary, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (failure.code === 'ENOENT')
      throw new Error(`${binary} is not installed here (it runs the InfluxDB backup)`);
    const output = `${failure.stderr ?? ''}${failure.stdout ?? ''}`.trim().split('\n').slice(-5).join(' | ');
    throw new Error(`influxd ${args[0]} failed: ${output || failure.message}`);
  }
}
