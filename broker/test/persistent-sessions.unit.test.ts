import { describe, expect, it } from 'vitest';
import { PersistentSessions } from '../auth/persistent-sessions.js';

describe('PersistentSessions', () => {
  it('caps sessions per username, counts those restored at start, and expires the ones away too long', () => {
    let now = 0;
    const sessions = new PersistentSessions({ perUser: 2, expiryMs: 1_000 }, () => now);
    sessions.restore([{ clientId: 'ingest-1', username: 'ingest' }]);
    expect(sessions.mayKeep('ingest', 'ingest-2')).toBe(true);
    sessions.kept('ingest', 'ingest-2');
    expect(sessions.mayKeep('ingest', 'ingest-3')).toBe(false);
    expect(sessions.mayKeep('ingest', 'ingest-1')).toBe(true);
    expect(sessions.mayKeep('alerting', 'alerting')).toBe(true);

    sessions.connected('ingest-2');
    now = 1_500;
    expect(sessions.expired()).toEqual(['ingest-1']);
    sessions.forgotten('ingest-1');
    expect(sessions.mayKeep('ingest', 'ingest-3')).toBe(true);
    sessions.disconnected('ingest-2');
    now = 2_400;
    expect(sessions.expired()).toEqual([]);
    now = 2_500;
    expect(sessions.expired()).toEqual(['ingest-2']);
  });

  it('counts a session seen on another node of a cluster as away only from then', () => {
    let now = 0;
    const sessions = new PersistentSessions({ perUser: 5, expiryMs: 1_000 }, () => now);
    sessions.restore([
      { clientId: 'ingest-1', username: 'ingest' },
      { clientId: 'alerting', username: 'alerting' },
    ]);
    sessions.kept('gw-a', 'gw-a');
    sessions.connected('gw-a');
    expect(sessions.connectedIds()).toEqual(['gw-a']);
    now = 900;
    sessions.seenElsewhere('ingest-1', 800);
    sessions.seenElsewhere('gw-a', 800); // connected here: nothing to move
    now = 1_200;
    expect(sessions.expired()).toEqual(['alerting']);
    sessions.seenElsewhere('alerting', 100); // older than what this node knows: no change
    expect(sessions.expired()).toEqual(['alerting']);
    now = 1_800;
    expect(sessions.expired()).toEqual(['ingest-1', 'alerting']);
  });
});
