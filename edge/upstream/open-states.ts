import { EVENT_ENDS, EVENT_SEVERITY, type EventType } from '../../contracts/index.js';

/** The warning and critical events some info event ends: the only ones worth remembering. */
const ENDABLE: ReadonlySet<EventType> = new Set(Object.values(EVENT_ENDS).flat());

/**
 * The warning and critical states each device reported that no info event has ended yet
 * (mains lost until mains restored). The publisher asks it whether an info event ends one:
 * that event goes at once instead of waiting for the batch. At most one such event per
 * state, so a device's chatter (doors opening, self-tests) still rides the batch.
 */
export class OpenStates {
  private readonly open = new Map<string, Set<EventType>>();

  /** Records the event; true when it is an info event that ends a state of `device` still open. */
  ends(device: string, type: EventType): boolean {
    if (EVENT_SEVERITY[type] !== 'info') {
      if (ENDABLE.has(type)) {
        const states = this.open.get(device) ?? new Set<EventType>();
        states.add(type);
        this.open.set(device, states);
      }
      return false;
    }
    const states = this.open.get(device);
    if (!states) return false;
    let ended = false;
    for (const state of EVENT_ENDS[type] ?? []) ended = states.delete(state) || ended;
    if (states.size === 0) this.open.delete(device);
    return ended;
  }
}
