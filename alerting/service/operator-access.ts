import { join } from 'node:path';
import { AlertLinks } from '../links/alert-links.js';
import { loadPageKeys } from '../links/page-keys.js';
import type { MessageAudience, MessageLink } from '../notify/message-text.js';
import type { Delivery } from '../notify/delivery-schema.js';
import { CALLS_TO_ACT, type DutyLookup } from '../notify/routing.js';
import { peopleOnDuty } from '../people/on-duty.js';
import { ROSTER_FILE, RosterStore } from '../people/roster-store.js';
import { actorLabel, personActor } from '../people/actor.js';
import { roleAllows, type Person } from '../people/person-schema.js';
import { PEOPLE_FILE, PeopleStore } from '../people/people-store.js';
import { PageSessions } from '../page/page-session.js';
import type { Logger } from '../../runtime/index.js';
import type { AlertingConfig } from './config.js';

/** The people of the page, their sessions and the signed links notifications carry. */
export interface OperatorAccess {
  people: PeopleStore;
  roster: RosterStore;
  /** The roster's people now, enabled ones only, for routing. */
  duty: DutyLookup;
  /** Roster entries naming nobody known (the page and the log say so). */
  unknownOnRoster: () => string[];
  links: AlertLinks;
  sessions: PageSessions;
  actorLabel: (actor: string) => string;
  /** The links one delivery's message carries and the numbers it may @-mention. */
  audienceFor: (delivery: Delivery) => MessageAudience;
}

/**
 * Opens dataDir/people.json (creating the first admin when it is missing), loads or
 * generates the page key, and ties links to the public URL.
 */
export async function openOperatorAccess(
  config: AlertingConfig,
  publicUrl: () => string,
  now: () => number,
  logger: Logger,
): Promise<OperatorAccess> {
  const people = await new PeopleStore(join(config.dataDir, PEOPLE_FILE), now).load();
  if (people.applySeed(config.people))
    logger.info({ people: config.people.length }, 'people from the config applied');
  await people.ensureAdmin(config.page.admin);
  const roster = new RosterStore(join(config.dataDir, ROSTER_FILE), now);
  if (await roster.load(config.roster))
    logger.info({ sites: Object.keys(config.roster) }, 'duty roster from the config applied');
  const enabled = (ids: readonly string[]) => ids.filter((id) => people.get(id)?.disabled === false);
  const duty: DutyLookup = {
    onDuty: (site) => enabled(peopleOnDuty(roster.site(site), now(), config.engine.utcOffsetMinutes)),
    escalation: (site) => enabled(roster.site(site)?.escalation ?? []),
  };
  const unknownOnRoster = () =>
    [
      ...new Set(
        Object.values(roster.roster).flatMap((r) => [...r.shifts.flatMap((s) => s.people), ...r.escalation]),
      ),
    ].filter((id) => !people.get(id));
  const unknown = unknownOnRoster();
  if (unknown.length > 0)
    logger.warn({ unknown }, 'the duty roster names people who have no account: they are skipped');
  const keys = loadPageKeys(config.page.secret, config.dataDir);
  const links = new AlertLinks(keys, publicUrl, config.page.linkTtlS * 1000, now);
  const sessions = new PageSessions(keys, people, config.page.sessionTtlS * 1000, now);
  return {
    people,
    roster,
    duty,
    unknownOnRoster,
    links,
    sessions,
    actorLabel: (actor) => actorLabel(actor, (id) => people.get(id)),
    audienceFor: (delivery) => {
      const recipients = delivery.people
        .map((id) => people.get(id))
        .filter((p): p is Person => p !== undefined && !p.disabled);
      return {
        links: messageLinks(delivery, recipients, links),
        // Those who can act are woken; a viewer on the roster reads the group like anyone.
        mobiles: recipients.flatMap((p) => (p.phone && roleAllows(p.role, 'operator') ? [p.phone] : [])),
      };
    },
  };
}

/**
 * "View" (signed for the first person, so it opens without logging in; the page link
 * when the message is for nobody in particular), then, while the alert waits for
 * someone, one acknowledge link per operator or admin it is for.
 */
function messageLinks(delivery: Delivery, people: readonly Person[], links: AlertLinks): MessageLink[] {
  const { alert } = delivery;
  const zh = delivery.language === 'zh';
  const first = people[0];
  const view: MessageLink = {
    label: zh ? '查看告警' : 'View the alert',
    url: first ? links.url(alert.id, personActor(first.id), 'view') : links.pageUrl(alert.id),
  };
  const waiting = CALLS_TO_ACT.has(delivery.reason) && alert.state === 'firing' && !alert.ack;
  if (!waiting) return [view];
  const actors = people.filter((p) => roleAllows(p.role, 'operator'));
  return [
    view,
    ...actors.map((p) => ({
      label:
        actors.length === 1
          ? zh
            ? '确认收到'
            : 'Acknowledge'
          : zh
            ? `确认（${p.name}）`
            : `Acknowledge (${p.name})`,
      url: links.url(alert.id, personActor(p.id), 'ack'),
      primary: true,
    })),
  ];
}
