import { describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { canPublish } from '../auth/acl.js';
import { principalFromGrant } from '../auth/principal.js';
import { MAX_CACHED_TOPICS_PER_SESSION, PublishDecisionCache } from '../auth/publish-decision-cache.js';

const gateway = (gatewayId: string) =>
  principalFromGrant({ username: gatewayId, role: 'gateway', sites: ['s'], gateway: gatewayId });

describe('PublishDecisionCache', () => {
  it('gives canPublish’s decision, per session, on first and repeated use', () => {
    const gwA = gateway('gw-a');
    const cache = new PublishDecisionCache(gwA);
    const own = topics.telemetry('s', 'gw-a', 'meter-1');
    const other = topics.telemetry('s', 'gw-b', 'meter-1');
    for (let i = 0; i < 3; i++) {
      expect(cache.decide(own)).toEqual({ allowed: true });
      expect(cache.decide(other)).toEqual(canPublish(gwA, other));
      expect(cache.decide(other).allowed).toBe(false);
    }
    // Another session's cache (gw-b here) answers for its own principal.
    const forB = new PublishDecisionCache(gateway('gw-b'));
    expect(forB.decide(own).allowed).toBe(false);
    expect(forB.decide(other)).toEqual({ allowed: true });
  });

  it('stays correct past its bound', () => {
    const cache = new PublishDecisionCache(gateway('gw-a'));
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
});
