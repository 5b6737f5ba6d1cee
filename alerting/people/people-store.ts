import { randomBytes } from 'node:crypto';
import {
  hashPassword,
  readPrivateJsonFile,
  verifyPassword,
  writePrivateJsonFile,
} from '../../runtime/index.js';
import {
  peopleFileSchema,
  roleAllows,
  type Person,
  type PersonRole,
  type PersonSeed,
} from './person-schema.js';
import { configHash } from './roster-store.js';

export const PEOPLE_FILE = 'people.json';
export const MIN_PASSWORD_LENGTH = 10;

export interface NewPerson {
  id: string;
  name: string;
  phone?: string | undefined;
  role: PersonRole;
}

export interface PersonChanges {
  name?: string;
  /** null removes the number. */
  phone?: string | null;
  role?: PersonRole;
  disabled?: boolean;
}

export class PeopleError extends Error {
  constructor(
    readonly code: 'PERSON_EXISTS' | 'PERSON_UNKNOWN' | 'LAST_ADMIN' | 'PASSWORD_WEAK',
    message: string,
  ) {
    super(message);
    this.name = 'PeopleError';
  }
}

/** Costs one scrypt like a real check, so an unknown name answers as slowly as a wrong password. */
let dummyHash: Promise<string> | undefined;

/** A random password people can type on a phone: 16 characters of base64url. */
export function generatePersonPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The accounts of the operators' page in dataDir/people.json (mode 0600, replaced
 * atomically on every change). Admins manage them on the page; a file that does not
 * parse stops the service with the reason instead of being half-read.
 */
export class PeopleStore {
  private readonly people = new Map<string, Person>();
  private seedHash: string | undefined;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads people.json (none yet when it is missing); a file that does not validate stops the start with its reasons. */
  async load(): Promise<this> {
    const file = await readPrivateJsonFile(this.file, peopleFileSchema, 'people file');
    for (const person of file?.people ?? []) this.people.set(person.id, person);
    this.seedHash = file?.seedHash;
    return this;
  }

  /**
   * The YAML `people`, applied when they differ from the ones applied last: each is
   * created (without a password) or given the YAML's name, phone and role. Passwords,
   * people only added on the page, and edits made on the page since stay as they are
   * until the YAML list changes again. True when applied.
   */
  applySeed(seed: readonly PersonSeed[]): boolean {
    const hash = configHash(seed);
    if (this.seedHash === hash) return false;
    const now = this.now();
    for (const entry of seed) {
      const existing = this.people.get(entry.id);
      const person: Person = existing
        ? { ...existing, name: entry.name, role: entry.role, updatedAt: now }
        : { ...entry, disabled: false, sessionVersion: 0, createdAt: now, updatedAt: now };
      if (entry.phone) person.phone = entry.phone;
      else delete person.phone;
      if (existing && !roleAllows(person.role, existing.role)) person.sessionVersion += 1;
      this.people.set(entry.id, person);
    }
    this.seedHash = hash;
    this.save();
    return true;
  }

  list(): Person[] {
    return [...this.people.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): Person | undefined {
    return this.people.get(id);
  }

  /** An enabled person by log-in name (id) or phone number. */
  byLogin(login: string): Person | undefined {
    const value = login.trim();
    const person =
      this.people.get(value.toLowerCase()) ??
      this.list().find((p) => p.phone !== undefined && p.phone === value);
    return person && !person.disabled ? person : undefined;
  }

  /** The person whose password this is, or undefined; as slow for an unknown name as for a wrong password. */
  async verify(login: string, password: string): Promise<Person | undefined> {
    const person = this.byLogin(login);
    if (!person?.passwordHash) {
      dummyHash ??= hashPassword(generatePersonPassword());
      await verifyPassword(password, await dummyHash);
      return undefined;
    }
    return (await verifyPassword(password, person.passwordHash)) ? person : undefined;
  }

  async create(input: NewPerson, password?: string): Promise<Person> {
    if (this.people.has(input.id)) throw new PeopleError('PERSON_EXISTS', `"${input.id}" already exists`);
    const now = this.now();
    const person: Person = {
      id: input.id,
      name: input.name,
      ...(input.phone ? { phone: input.phone } : {}),
      role: input.role,
      ...(password !== undefined ? { passwordHash: await hashStrong(password) } : {}),
      disabled: false,
      sessionVersion: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.people.set(person.id, person);
    this.save();
    return person;
  }

  update(id: string, changes: PersonChanges): Person {
    const person = this.require(id);
    const next: Person = { ...person, updatedAt: this.now() };
    if (changes.name !== undefined) next.name = changes.name;
    if (changes.phone === null) delete next.phone;
    else if (changes.phone !== undefined) next.phone = changes.phone;
    if (changes.role !== undefined) next.role = changes.role;
    if (changes.disabled !== undefined) next.disabled = changes.disabled;
    const losesAdmin = isActiveAdmin(person) && !isActiveAdmin(next);
    if (losesAdmin && this.list().filter(isActiveAdmin).length <= 1)
      throw new PeopleError('LAST_ADMIN', 'the last admin cannot be disabled or demoted');
    // Less power or no access at all: sessions opened with the old rights end now.
    if (next.disabled || !roleAllows(next.role, person.role)) next.sessionVersion += 1;
    this.people.set(id, next);
    this.save();
    return next;
  }

  /** Sets a new password and ends the person's sessions everywhere. */
  async setPassword(id: string, password: string): Promise<Person> {
    const person = this.require(id);
    const next: Person = {
      ...person,
      passwordHash: await hashStrong(password),
      sessionVersion: person.sessionVersion + 1,
      updatedAt: this.now(),
    };
    this.people.set(id, next);
    this.save();
    return next;
  }

  /** Log-out everywhere. */
  endSessions(id: string): void {
    const person = this.require(id);
    this.people.set(id, { ...person, sessionVersion: person.sessionVersion + 1, updatedAt: this.now() });
    this.save();
  }

  /**
   * The first admin: created when no account has its id (with `password` when given),
   * given `password` when it exists without one. An existing password is never
   * replaced: it may have been changed on the page since.
   */
  async ensureAdmin(admin: { id: string; name: string; password?: string | undefined }): Promise<void> {
    const existing = this.people.get(admin.id);
    if (!existing) {
      await this.create({ id: admin.id, name: admin.name, role: 'admin' }, admin.password);
    } else if (!existing.passwordHash && admin.password !== undefined) {
      await this.setPassword(admin.id, admin.password);
    }
  }

  private require(id: string): Person {
    const person = this.people.get(id);
    if (!person) throw new PeopleError('PERSON_UNKNOWN', `no person "${id}"`);
    return person;
  }

  private save(): void {
    const content = {
      version: 1,
      people: this.list(),
      ...(this.seedHash ? { seedHash: this.seedHash } : {}),
    };
    void writePrivateJsonFile(this.file, content);
  }
}

function isActiveAdmin(person: Person): boolean {
  return person.role === 'admin' && !person.disabled;
}

async function hashStrong(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new PeopleError('PASSWORD_WEAK', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  return hashPassword(password);
}
