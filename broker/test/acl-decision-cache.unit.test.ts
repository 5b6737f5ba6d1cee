import { describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { canPublish, canReceive } from '../auth/acl.js';
import { principalFromGrant } from '../auth/principal.js';
import { AclDecisionCache, MAX_CACHED_TOPICS_PER_SESSION } from '../auth/acl-decision-cache.js';

const gateway = (gatewayId: string) =>
  principalFromGrant({ username: gatewayId, role: 'gateway', sites: ['s'], gateway: gatewayId });

const publishCache = (principal: ReturnType<typeof gateway>) =>
  new AclDecisionCache((topic) => canPublish(principal, topic));

describe('AclDecisionCache', () => {
  it('gives canPublish’s decision, per session, on first and repeated use', () => {
    const gwA = gateway('gw-a');
    const cache = publishCache(gwA);
    const own = topics.telemetry('s', 'gw-a', 'meter-1');
    const other = topics.telemetry('s', 'gw-b', 'meter-1');
    for (let i = 0; i < 3; i++) {
      expect(cache.decide(own)).toEqual({ allowed: true });
      expect(cache.decide(other)).toEqual(canPublish(gwA, other));
      expect(cache.decide(other).allowed).toBe(false);
    }
    // Another session's cache (gw-b here) answers for its own principal.
    const forB = publishCache(gateway('gw-b'));
    expect(forB.decide(own).allowed).toBe(false);
    expect(forB.decide(other)).toEqual({ allowed: true });
  });

  it('stays correct past its bound', () => {
    const cache = publishCache(gateway('gw-a'));
    const count = MAX_CACHED_TOPICS_PER_SESSION + 50;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < count; i++) {
        const own = topics.telemetry('s', 'gw-a', `meter-${i}`);
        const foreign = topics.telemetry('s', 'gw-b', `meter-${i}`);
        expect(cache.decide(own).allowed).toBe(true);
        expect(cache.decide(foreign).allowed).toBe(false);
      }
    }
  });

  it('caches each rule apart: what a gateway may receive is not what it may publish', () => {
    const gwA = gateway('gw-a');
    const receive = new AclDecisionCache((topic) => canReceive(gwA, topic));
    expect(receive.decide('v1/s/gw-a/commands').allowed).toBe(true);
    expect(publishCache(gwA).decide('v1/s/gw-a/commands').allowed).toBe(false);
    expect(receive.decide(topics.alert('s', 'fire')).allowed).toBe(false);
  });
});
