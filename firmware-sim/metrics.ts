import type { Registry } from 'prom-client';
import { metricsOn } from '../runtime/index.js';
import type { ModbusOutcome } from './modbus/bus-server.js';

export interface SimulatorMetrics {
  modbusRequest(busId: string, outcome: ModbusOutcome): void;
  mqttPublish(deviceId: string, topic: string): void;
}

export function createSimulatorMetrics(registry: Registry | undefined): SimulatorMetrics {
  if (!registry) return { modbusRequest: () => undefined, mqttPublish: () => undefined };
  const { counter } = metricsOn(registry);
  const requests = counter(
    'sim_modbus_requests_total',
    'Modbus read requests received by the simulated buses, by outcome',
    ['bus', 'outcome'],
  );
  const published = counter('sim_mqtt_messages_total', 'Vendor messages published by simulated MQTT devices');
  return {
    modbusRequest: (bus, outcome) => requests.inc({ bus, outcome }),
    mqttPublish: () => published.inc(),
  };
}
