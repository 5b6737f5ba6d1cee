import type { Person } from './person-schema.js';

/**
 * Who did something, as recorded on an alert or a silence: a person of the page
 * (`person:<id>`) or an API token (`token:<name>`). Never free text.
 */
export type Actor = `person:${string}` | `token:${string}`;

export function personActor(id: string): Actor {
  return `person:${id}`;
}

export function tokenActor(name: string): Actor {
  return `token:${name}`;
}

/** The person id of a `person:` actor. */
export function personIdOf(actor: string): string | undefined {
  return actor.startsWith('person:') ? actor.slice('person:'.length) : undefined;
}

/** "王值班 (wang)", "API token ops-bot", or the recorded text itself (alerts from before actors). */
export function actorLabel(actor: string, people: (id: string) => Person | undefined): string {
  const personId = personIdOf(actor);
  if (personId !== undefined) {
    const person = people(personId);
    return person ? `${person.name} (${person.id})` : personId;
  }
  if (actor.startsWith('token:')) return `API token ${actor.slice('token:'.length)}`;
  return actor;
}
