import { Counter, type Registry } from 'prom-client';
import type { ModbusOutcome } from './modbus/bus-server.js';

export interface SimulatorMetrics {
  modbusRequest(busId: string, outcome: ModbusOutcome): void;
  mqttPublish(deviceId: string, topic: string): void;
}

export function createSimulatorMetrics(registry: Registry | undefined): SimulatorMetrics {
  if (!registry) return { modbusRequest: () => undefined, mqttPublish: () => undefined };
  const requests = new Counter({
    name: 'sim_modbus_requests_total',
    help: 'Modbus read requests received by the simulated buses, by outcome',
    labelNames: ['bus', 'outcome'],
    registers: [registry],
  });
  const published = new Counter({
    name: 'sim_mqtt_messages_total',
    help: 'Vendor messages published by simulated MQTT devices',
    registers: [registry],
  });
  return {
    modbusRequest: (bus, outcome) => requests.inc({ bus, outcome }),
    mqttPublish: () => published.inc(),
  };
}
