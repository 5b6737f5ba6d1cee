export type DeviceProtocol = 'modbus' | 'dlt645' | 'cjt188' | 'mqtt';

/** What the gateway knows about one device right now (served by GET /api/devices). */
export interface DeviceStatus {
  id: string;
  profile: string;
  protocol: DeviceProtocol;
  bus?: string;
  /** undefined until the first poll or message. */
  online: boolean | undefined;
  lastValues: Record<string, number>;
  lastValuesTs: number | undefined;
  lastSeenTs: number | undefined;
  lastError: { code: string; message: string; ts: number } | undefined;
  successCount: number;
  errorCount: number;
  /** Polls in a row without an answer (silence). */
  consecutiveFailures: number;
  /** Polls in a row answered with an exception or unusable data. */
  consecutiveBadAnswers: number;
  /** Answers, but only with exceptions or garbage (reported upstream as `device_error`). */
  answeringBadly: boolean;
  lastLatencyMs: number | undefined;
}

/** The one table of device states, written by pollers and the vendor bridge, read by HTTP and health. */
export class DeviceStatusBoard {
  private readonly devices = new Map<string, DeviceStatus>();

  register(id: string, profile: string, protocol: DeviceProtocol, bus?: string): DeviceStatus {
    const status: DeviceStatus = {
      id,
      profile,
      protocol,
      ...(bus ? { bus } : {}),
      online: undefined,
      lastValues: {},
      lastValuesTs: undefined,
      lastSeenTs: undefined,
      lastError: undefined,
      successCount: 0,
      errorCount: 0,
      consecutiveFailures: 0,
      consecutiveBadAnswers: 0,
      answeringBadly: false,
      lastLatencyMs: undefined,
    };
    this.devices.set(id, status);
    return status;
  }

  get(id: string): DeviceStatus | undefined {
    return this.devices.get(id);
  }

  all(): DeviceStatus[] {
    return [...this.devices.values()];
  }

  counts(): { online: number; offline: number } {
    let online = 0;
    let offline = 0;
    for (const status of this.devices.values()) {
      if (status.online === true) online++;
      else if (status.online === false) offline++;
    }
    return { online, offline };
  }

  clear(): void {
    this.devices.clear();
  }
}
