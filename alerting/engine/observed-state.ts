/** What the engine has seen of gateways and devices, shared by the evaluators. */
export class ObservedState {
  private readonly gateways = new Map<string, { state: 'online' | 'offline'; since: number }>();
  private readonly lastSeen = new Map<string, number>();
  /** Devices the gateway reports answering with unusable data (device_error) until they answer properly. */
  private readonly answeringBadly = new Set<string>();
  /** Devices whose gateway said they stopped answering (device_offline), until they report again. */
  private readonly reportedOffline = new Set<string>();
  private inputSince: number | undefined;

  /**
   * Whether alerting itself receives the stream, and since when. While it does not
   * (broker unreachable, just started), a meter's silence says nothing about the meter.
   */
  setInputConnected(connected: boolean, at: number): void {
    if (!connected) this.inputSince = undefined;
    else this.inputSince ??= at;
  }

  /** When the current connection to the stream began; undefined while disconnected. */
  inputConnectedSince(): number | undefined {
    return this.inputSince;
  }

  gatewayState(site: string, gateway: string): { state: 'online' | 'offline'; since: number } | undefined {
    return this.gateways.get(`${site}/${gateway}`);
  }

  isGatewayOffline(site: string, gateway: string): boolean {
    return this.gatewayState(site, gateway)?.state === 'offline';
  }

  /** Returns whether the state changed. */
  setGateway(site: string, gateway: string, state: 'online' | 'offline', at: number): boolean {
    const previous = this.gatewayState(site, gateway);
    if (previous?.state === state) return false;
    this.gateways.set(`${site}/${gateway}`, { state, since: at });
    return true;
  }

  deviceSeen(site: string, device: string, at: number): void {
    const key = `${site}/${device}`;
    this.lastSeen.set(key, Math.max(at, this.lastSeen.get(key) ?? 0));
  }

  setAnsweringBadly(site: string, device: string, bad: boolean): void {
    if (bad) this.answeringBadly.add(`${site}/${device}`);
    else this.answeringBadly.delete(`${site}/${device}`);
  }

  setReportedOffline(site: string, device: string, offline: boolean): void {
    if (offline) this.reportedOffline.add(`${site}/${device}`);
    else this.reportedOffline.delete(`${site}/${device}`);
  }

  isReportedOffline(site: string, device: string): boolean {
    return this.reportedOffline.has(`${site}/${device}`);
  }

  /** A device that answers, but only with garbage, is not silent: its own alert says what is wrong. */
  isAnsweringBadly(site: string, device: string): boolean {
    return this.answeringBadly.has(`${site}/${device}`);
  }

  /** When the device last reported; a device never seen counts from `fallback` (the engine's start). */
  lastSeenAt(site: string, device: string, fallback: number): number {
    return this.lastSeen.get(`${site}/${device}`) ?? fallback;
  }
}
