import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { CodedError, writeFileAtomic } from '../../runtime/index.js';
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
  load(configured: Roster): boolean {
    if (existsSync(this.file)) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(this.file, 'utf8'));
      } catch (error) {
        throw new CodedError('CONFIG_INVALID', `${this.file} is not JSON: ${(error as Error).message}`);
      }
      const parsed = rosterFileSchema.safeParse(json);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw new CodedError('CONFIG_INVALID', `${this.file} is invalid:\n  - ${issues.join('\n  - ')}`);
      }
      this.state = parsed.data;
    }
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
    writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
    this.state = state;
  }
}
