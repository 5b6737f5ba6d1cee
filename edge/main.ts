import { Command } from 'commander';
import { runGatewayFromFile } from './run-gateway.js';

const program = new Command()
  .name('edge')
  .description(
    'Edge gateway: polls Modbus meters, bridges LAN MQTT devices, publishes canonical messages upstream',
  )
  .option('-c, --config <file>', 'YAML config file (EDGE_* environment variables override it)')
  .parse();

runGatewayFromFile(program.opts<{ config?: string }>().config);
