import { createHash } from 'node:crypto';
import { z } from 'zod';
import { readPrivateJsonFile, writePrivateJsonFile } from '../../runtime/index.js';
import { rosterSchema, type Roster, type SiteRoster } from './roster-schema.js';

export const ROSTER_FILE = 'roster.json';

const rosterFileSchema = z.object({
  version: z.literal(1),
  roster: rosterSchema,
  /** Hash of the YAML roster last applied: a changed YAML roster replaces page edits. */
  configHash: z.string(),
  updatedAt: z.number(),
  /** `config` or the actor who edited it on the page. */
  updatedBy: z.string(),
});
type RosterFile = z.infer<typeof rosterFileSchema>;

export function configHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The duty roster in effect, in dataDir/roster.json. The YAML config's `roster` is
 * applied whenever it differs from the one applied last (a deliberate change by whoever
 * deploys); admins edit the roster on the page in between, and those edits last until
 * the YAML roster changes again.
 */
export class RosterStore {
  private state: RosterFile | undefined;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the file, applying `configured` when it is new; true when the YAML roster was applied. */
  async load(configured: Roster): Promise<boolean> {
    this.state = await readPrivateJsonFile(this.file, rosterFileSchema, 'roster file');
    const hash = configHash(configured);
    if (this.state?.configHash === hash) return false;
    this.save({
      version: 1,
      roster: configured,
      configHash: hash,
      updatedAt: this.now(),
      updatedBy: 'config',
    });
    return true;
  }

  get roster(): Roster {
    return this.state?.roster ?? {};
  }

  site(site: string): SiteRoster | undefined {
    return this.roster[site];
  }

  /** Who changed it last (`config` or an actor) and when. */
  get source(): { updatedAt: number; updatedBy: string } | undefined {
    return this.state ? { updatedAt: this.state.updatedAt, updatedBy: this.state.updatedBy } : undefined;
  }

  setSite(site: string, roster: SiteRoster, by: string): void {
    const current = this.state ?? {
      version: 1 as const,
      roster: {},
      configHash: configHash({}),
      updatedAt: 0,
      updatedBy: by,
    };
    this.save({
      ...current,
      roster: { ...current.roster, [site]: roster },
      updatedAt: this.now(),
      updatedBy: by,
    });
  }

  private save(state: RosterFile): void {
    void writePrivateJsonFile(this.file, state);
    this.state = state;
  }
}
