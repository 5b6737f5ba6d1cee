import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../broker/index.js';
import { lanCredentialsFileSchema } from './lan-credentials.js';

describe('the gateway’s LAN credentials file', async () => {
  const hash = await hashPassword('a-long-enough-password');
  const file = (...usernames: string[]) => ({
    version: 1,
    credentials: usernames.map((username) => ({ username, devices: ['maker-hall-camera'], hash })),
  });

  it('keeps each username once and names the entry that repeats one', () => {
    expect(lanCredentialsFileSchema.safeParse(file('cam-1', 'cam-2')).success).toBe(true);
    const twice = lanCredentialsFileSchema.safeParse(file('cam-1', 'cam-2', 'cam-1'));
    expect(twice.error?.issues).toMatchObject([
      { path: ['credentials', 2, 'username'], message: 'duplicate username cam-1' },
    ]);
  });

  it('takes only scrypt hashes in the broker’s format', () => {
    const broken = file('cam-1');
    broken.credentials[0]!.hash = 'scrypt$not-a-hash';
    expect(lanCredentialsFileSchema.safeParse(broken).success).toBe(false);
  });
});
