/**
 * A naive gateway: what a village integrator might write to do the gateway's work at 100
 * meters with the packages the gateway uses and nothing else. Every second it reads each
 * meter's blocks (modbus-serial, one connection a bus, one read at a time), decodes them with
 * the Node-RED flows' function, gathers a minute's readings, keeps the gzip batch (the bench gateways' encoding) in LevelDB
 * (classic-level, synced) until the broker acknowledges it (mqtt, QoS 1), and answers
 * /readyz (node:http, with how many meter polls read every block). It leaves out what ours adds: the contracts, report by exception, a
 * journal of the minute being gathered, metrics, logs. `gateway-memory` measures beside it:
 * its RSS is what doing this work costs Node 20 with these packages.
 *
 *   node naive-gateway.mjs --config naive.json   (naive-gateway.ts writes the config)
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ClassicLevel } from 'classic-level';
import ModbusSerial from 'modbus-serial';
import { connect } from 'mqtt';
import type { NaiveGatewayConfig } from './naive-gateway.js';

interface Decoded {
  payload: { ts: number; values: Record<string, number> };
}
type Decode = (msg: { payload: number[] }, fields: unknown[], topic: string) => Decoded;

const config = JSON.parse(
  readFileSync(process.argv[process.argv.indexOf('--config') + 1] as string, 'utf8'),
) as NaiveGatewayConfig;
const decode = new Function('msg', 'FIELDS', 'TOPIC', config.decode) as Decode;
const store = new ClassicLevel<string, Uint8Array>(config.dataDir, { valueEncoding: 'view' });
await store.open();
const upstream = connect(config.upstream.url, { clientId: config.upstream.clientId, clean: false });
let gathered: Array<{ device: string; ts: number; seq: number; values: Record<string, number> }> = [];
let seq = 0;
let busesConnected = 0;
/** Meter polls that read every block, for the benchmark to check that the work was done. */
let pollsRead = 0;

function send(key: string, payload: Uint8Array): void {
  upstream.publish(config.batchTopic, Buffer.from(payload), { qos: 1 }, (error) => {
    if (!error) void store.del(key);
  });
}

for await (const [key, payload] of store.iterator()) send(key, payload);

for (const bus of config.buses) {
  const client = new ModbusSerial.default();
  await client.connectTCP('127.0.0.1', { port: bus.port });
  client.setTimeout(1000);
  busesConnected++;
  let polling = false;
  setInterval(async () => {
    if (polling) return;
    polling = true;
    for (const unit of bus.units) {
      client.setID(unit.unitId);
      const values: Record<string, number> = {};
      let blocksRead = 0;
      for (const block of unit.blocks) {
        try {
          const read =
            block.table === 'holding'
              ? await client.readHoldingRegisters(block.start, block.count)
              : await client.readInputRegisters(block.start, block.count);
          Object.assign(values, decode({ payload: read.data }, block.fields, unit.topic).payload.values);
          blocksRead++;
        } catch (error) {
          process.stderr.write(`${unit.topic}: ${String(error)}\n`);
        }
      }
      if (blocksRead === unit.blocks.length) pollsRead++;
      gathered.push({ device: unit.topic, ts: Date.now(), seq: seq++, values });
    }
    polling = false;
  }, 1000);
}

setInterval(async () => {
  const batch = { ts: Date.now(), telemetry: gathered, events: [] };
  gathered = [];
  const payload = gzipSync(JSON.stringify(batch));
  const key = String(batch.ts).padStart(16, '0');
  await store.put(key, payload, { sync: true });
  send(key, payload);
  process.stdout.write(`batch of ${batch.telemetry.length} readings\n`);
}, 60_000);

createServer((_request, response) => {
  const ready = upstream.connected && busesConnected === config.buses.length;
  response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ ready, pollsRead }));
}).listen(config.httpPort, '127.0.0.1');
