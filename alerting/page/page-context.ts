import type { ApiToken } from '../api/bearer-auth.js';
import type { AlertEngine } from '../engine/alert-engine.js';
import type { AlertLinks } from '../links/alert-links.js';
import type { DescriptionContext } from '../notify/alert-description.js';
import type { ChannelState } from '../notify/channel-health.js';
import type { Delivery } from '../notify/delivery-schema.js';
import type { PeopleStore } from '../people/people-store.js';
import type { RosterStore } from '../people/roster-store.js';
import type { Person } from '../people/person-schema.js';
import type { PageSessions } from './page-session.js';

/** Everything the operators' page reads and changes, handed over by the service. */
export interface PageContext {
  engine: () => AlertEngine;
  deliveries: () => Delivery[];
  channels: () => ChannelState[];
  people: PeopleStore;
  sessions: PageSessions;
  links: AlertLinks;
  /** Names of the contacts behind channel ids, for "delivered to 钉钉值班群". */
  contactName: (contactId: string) => string;
  describe: DescriptionContext;
  utcOffsetMinutes: number;
  sites: readonly string[];
  siteName: (site: string) => string;
  /** The people on duty at a site now (first: the primary). */
  onDuty: (site: string) => Person[];
  roster: RosterStore;
  /** Person ids the roster names that have no account. */
  unknownOnRoster: () => string[];
  /** API tokens, for links signed for a token (`links.ack` in the API). */
  tokens: readonly ApiToken[];
  /** Used one-tap links: nonce → when; `markUsed` journals one. */
  usedLink: (nonce: string) => { at: number } | undefined;
  markUsed: (nonce: string, expiresAt: number) => void;
  /** Longest silence anyone may set. */
  maxSilenceS: number;
  secureCookies: boolean;
  loginAttemptsPerMinute: number;
  now: () => number;
  /** Counters on /metrics: log-ins and link outcomes (a burst of forged links is someone guessing). */
  count?: {
    login(outcome: 'ok' | 'refused'): void;
    link(
      action: string,
      outcome: 'shown' | 'acknowledged' | 'forged' | 'expired' | 'used' | 'not_allowed',
    ): void;
  };
}
