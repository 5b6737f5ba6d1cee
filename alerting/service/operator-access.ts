import { join } from 'node:path';
import { AlertLinks } from '../links/alert-links.js';
import { loadPageKeys } from '../links/page-keys.js';
import type { MessageLink } from '../notify/message-text.js';
import type { Delivery } from '../notify/delivery-schema.js';
import { actorLabel } from '../people/actor.js';
import { PEOPLE_FILE, PeopleStore } from '../people/people-store.js';
import { PageSessions } from '../page/page-session.js';
import type { AlertingConfig } from './config.js';

/** The people of the page, their sessions and the signed links notifications carry. */
export interface OperatorAccess {
  people: PeopleStore;
  links: AlertLinks;
  sessions: PageSessions;
  actorLabel: (actor: string) => string;
  /** The links one delivery's message carries. */
  linksFor: (delivery: Delivery) => MessageLink[];
}

/**
 * Opens dataDir/people.json (creating the first admin when it is missing), loads or
 * generates the page key, and ties links to the public URL.
 */
export async function openOperatorAccess(
  config: AlertingConfig,
  publicUrl: () => string,
  now: () => number,
): Promise<OperatorAccess> {
  const people = new PeopleStore(join(config.dataDir, PEOPLE_FILE), now).load();
  await people.ensureAdmin(config.page.admin);
  const keys = loadPageKeys(config.page.secret, config.dataDir);
  const links = new AlertLinks(keys, publicUrl, config.page.linkTtlS * 1000, now);
  const sessions = new PageSessions(keys, people, config.page.sessionTtlS * 1000, now);
  return {
    people,
    links,
    sessions,
    actorLabel: (actor) => actorLabel(actor, (id) => people.get(id)),
    linksFor: (delivery) => [
      {
        label: delivery.language === 'zh' ? '查看告警' : 'View the alert',
        url: links.pageUrl(delivery.alert.id),
      },
    ],
  };
}
