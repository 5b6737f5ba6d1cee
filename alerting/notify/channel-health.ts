import type { ChannelType, Delivery } from './delivery-schema.js';

/** What the operators' page and /metrics show per channel. */
export interface ChannelState {
  channelId: string;
  contactId: string;
  channelType: ChannelType;
  consecutiveFailures: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
  lastError?: string;
  /** Failed `failingAfter` attempts in a row; stays so until a delivery to it succeeds. */
  failing: boolean;
  /** Sites whose alerts it failed to deliver while failing (the service alert is raised per site). */
  failingSites: string[];
}

export interface ChannelHealthListener {
  /** The channel just crossed the failure threshold for an alert of `site` (or failed again while failing). */
  failing(state: ChannelState, site: string): void;
  /** A delivery to a failing channel went through: clear its alert for every site in `sites`. */
  recovered(state: ChannelState, sites: readonly string[]): void;
}

/**
 * Counts each channel's failed attempts in a row. A channel that keeps failing is
 * reported (the service raises an alert on the other channels); the first success
 * after that clears it. Seeded at start from the journal, so the page shows the last
 * success and failure of every channel after a restart too.
 */
export class ChannelHealth {
  private readonly channels = new Map<string, ChannelState>();

  constructor(
    private readonly failingAfter: number,
    private readonly listener?: ChannelHealthListener,
  ) {}

  /**
   * `deliveries`: the journal's outbox entries; `failing`: channel id → sites of the
   * channel alerts still open (the alert outlives a restart, so must its state).
   */
  seed(deliveries: Iterable<Delivery>, failing: ReadonlyMap<string, readonly string[]>): void {
    for (const delivery of deliveries) {
      const state = this.stateOf(delivery);
      if (delivery.deliveredAt !== undefined)
        state.lastSuccessAt = Math.max(state.lastSuccessAt ?? 0, delivery.deliveredAt);
      if (delivery.lastError !== undefined && delivery.updatedAt > (state.lastFailureAt ?? 0)) {
        state.lastFailureAt = delivery.updatedAt;
        state.lastError = delivery.lastError;
      }
    }
    for (const [channelId, sites] of failing) {
      const state = this.channels.get(channelId);
      if (!state) continue;
      state.failing = true;
      state.failingSites = [...sites];
      state.consecutiveFailures = Math.max(state.consecutiveFailures, this.failingAfter);
    }
  }

  /** A configured channel, listed (healthy until shown otherwise) before any traffic. */
  declare(channel: Pick<ChannelState, 'channelId' | 'contactId' | 'channelType'>): void {
    this.stateOf(channel);
  }

  succeeded(delivery: Delivery, at: number): void {
    const state = this.stateOf(delivery);
    state.lastSuccessAt = at;
    state.consecutiveFailures = 0;
    if (!state.failing) return;
    const sites = state.failingSites;
    state.failing = false;
    state.failingSites = [];
    this.listener?.recovered({ ...state }, sites);
  }

  failed(delivery: Delivery, at: number, error: string): void {
    const state = this.stateOf(delivery);
    state.lastFailureAt = at;
    state.lastError = error;
    state.consecutiveFailures += 1;
    if (state.consecutiveFailures < this.failingAfter) return;
    const site = delivery.alert.site;
    const newSite = !state.failingSites.includes(site);
    if (state.failing && !newSite) return;
    state.failing = true;
    if (newSite) state.failingSites.push(site);
    this.listener?.failing({ ...state, failingSites: [...state.failingSites] }, site);
  }

  list(): ChannelState[] {
    return [...this.channels.values()]
      .map((s) => ({ ...s, failingSites: [...s.failingSites] }))
      .sort((a, b) => a.channelId.localeCompare(b.channelId));
  }

  private stateOf(delivery: Pick<Delivery, 'channelId' | 'contactId' | 'channelType'>): ChannelState {
    let state = this.channels.get(delivery.channelId);
    if (!state) {
      state = {
        channelId: delivery.channelId,
        contactId: delivery.contactId,
        channelType: delivery.channelType,
        consecutiveFailures: 0,
        failing: false,
        failingSites: [],
      };
      this.channels.set(delivery.channelId, state);
    }
    return state;
  }
}
