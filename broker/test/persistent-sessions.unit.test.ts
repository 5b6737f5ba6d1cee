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
});
