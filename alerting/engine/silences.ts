import type { Alert, Silence } from './alert-schema.js';

/** Silences and maintenance windows: alerts still run their lifecycle, notifications wait. */
export class SilenceBook {
  private readonly silences = new Map<string, Silence>();

  load(silences: readonly Silence[]): void {
    for (const silence of silences) this.silences.set(silence.id, silence);
  }

  add(silence: Silence): void {
    this.silences.set(silence.id, silence);
  }

  remove(id: string): Silence | undefined {
    const silence = this.silences.get(id);
    this.silences.delete(id);
    return silence;
  }

  list(): Silence[] {
    return [...this.silences.values()];
  }

  /** Active silences that match the alert. */
  matching(alert: Alert, now: number): Silence[] {
    return this.list().filter((s) => s.startsAt <= now && now < s.endsAt && matches(s, alert));
  }

  /** Silences that ended before `now` (kept a day for the record, then dropped). */
  expired(now: number, keepMs = 24 * 3600_000): Silence[] {
    return this.list().filter((s) => s.endsAt + keepMs < now);
  }
}

function matches(silence: Silence, alert: Alert): boolean {
  const m = silence.matchers;
  return (
    (m.site === undefined || m.site === alert.site) &&
    (m.zone === undefined || m.zone === alert.zone) &&
    (m.device === undefined || m.device === alert.device) &&
    (m.gateway === undefined || m.gateway === alert.gateway) &&
    (m.ruleId === undefined || m.ruleId === alert.ruleId)
  );
}
