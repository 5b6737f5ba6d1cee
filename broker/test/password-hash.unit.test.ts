import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../credentials/password-hash.js';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery!', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores scrypt parameters, a 16-byte salt and never the password', async () => {
    const stored = await hashPassword('correct horse battery');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt as string, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash as string, 'base64')).toHaveLength(32);
    expect(stored).not.toContain('correct horse battery');
    expect(await hashPassword('correct horse battery')).not.toBe(stored);
  });

  it('refuses hashes it cannot read or whose cost is out of bounds', async () => {
    const stored = await hashPassword('pw-123456789');
    expect(await verifyPassword('pw-123456789', stored.replace('$16384$', '$16383$'))).toBe(false);
    expect(await verifyPassword('pw-123456789', stored.replace('$16384$', `$${2 ** 24}$`))).toBe(false);
    expect(await verifyPassword('pw-123456789', 'plain-text')).toBe(false);
  });
});
