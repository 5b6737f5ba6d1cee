import { parseArgs } from 'node:util';
import { runGatewayFromFile } from './run-gateway.js';
import { setEdgeV8Flags } from './v8-flags.js';

// node:util's parser, not commander: the daemon takes one option, and every package it
// loads stays in its memory for as long as it runs (the technician's CLI, edge/cli.ts,
// has the full command line).
const USAGE = `用法 / Usage: edge [options]

边缘网关：轮询 Modbus 表计，桥接局域网 MQTT 设备，向平台发送规范消息
Edge gateway: polls Modbus meters, bridges LAN MQTT devices, publishes canonical messages upstream

  -c, --config <file>  YAML 配置文件，EDGE_* 环境变量可覆盖 / YAML config file (EDGE_* environment variables override it)
  -h, --help           显示帮助 / show this help
`;

let options: { config?: string | undefined; help?: boolean | undefined };
try {
  options = parseArgs({
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
setEdgeV8Flags();
runGatewayFromFile(options.config);
