import { describe, expect, it } from 'vitest';
import { GatherJournal, type JournalOp } from './gather-journal.js';
import { decodeJournalKey } from './queue-key.js';

function described(ops: readonly JournalOp[]): string[] {
  return ops.map((op) =>
    op.type === 'put' ? `put ${decodeJournalKey(op.key)} ${op.value}` : `del ${decodeJournalKey(op.key)}`,
  );
}

describe('gather journal', () => {
  it('writes what a window gathered as one chunk, and deletes the chunks with the batch that takes them', () => {
    const journal = new GatherJournal();
    expect(journal.dirty).toBe(false);
    journal.add('telemetry', '{"seq":1}');
    journal.add('event', '{"seq":2}');
    journal.add('telemetry', '{"seq":3}');
    expect(described(journal.takeOps())).toEqual([
      'put 0 {"telemetry":[{"seq":1},{"seq":3}],"events":[{"seq":2}]}',
    ]);
    journal.add('telemetry', '{"seq":4}');
    expect(described(journal.takeOps())).toEqual(['put 1 {"telemetry":[{"seq":4}],"events":[]}']);

    // The batch is formed: the written chunks go; what was gathered since the last commit never reaches the disk.
    journal.add('telemetry', '{"seq":5}');
    journal.clear();
    journal.add('event', '{"seq":6}');
    expect(described(journal.takeOps())).toEqual([
      'del 0',
      'del 1',
      'put 2 {"telemetry":[],"events":[{"seq":6}]}',
    ]);
    expect(journal.dirty).toBe(false);
    expect(journal.takeOps()).toEqual([]);
  });

  it('hands over what a crash left once, and deletes it with the batch it is gathered into', () => {
    const journal = new GatherJournal();
    const unreadable = journal.restore([
      { chunk: 4n, value: '{"telemetry":[{"seq":1}],"events":[{"seq":2}]}' },
      { chunk: 5n, value: '{"telemetry":[{"se' },
      { chunk: 7n, value: '{"telemetry":[{"seq":3}],"events":[]}' },
    ]);
    expect(unreadable).toBe(1);
    expect(journal.takeRecovered()).toEqual({ telemetry: [{ seq: 1 }, { seq: 3 }], events: [{ seq: 2 }] });
    expect(journal.takeRecovered()).toEqual({ telemetry: [], events: [] });
    // Still on disk until a batch takes them.
    expect(journal.takeOps()).toEqual([]);
    journal.add('telemetry', '{"seq":1}');
    journal.clear();
    journal.add('telemetry', '{"seq":8}');
    expect(described(journal.takeOps())).toEqual([
      'del 4',
      'del 5',
      'del 7',
      'put 8 {"telemetry":[{"seq":8}],"events":[]}',
    ]);
  });
});
