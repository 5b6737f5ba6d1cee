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
  it('carries a failed commit to the next: its chunk is put again, the chunks it deleted hand their items back', () => {
    const journal = new GatherJournal();
    journal.add('telemetry', '{"seq":1}');
    expect(described(journal.takeOps())).toEqual(['put 0 {"telemetry":[{"seq":1}],"events":[]}']);
    journal.add('event', '{"seq":2}');
    journal.takeOps();
    journal.notWritten();
    expect(journal.dirty).toBe(true);
    expect(described(journal.takeOps())).toEqual(['put 1 {"telemetry":[],"events":[{"seq":2}]}']);

    // The batch's commit fails: the chunks stay on disk, their items wait for the next batch.
    journal.clear();
    expect(described(journal.takeOps())).toEqual(['del 0', 'del 1']);
    journal.notWritten();
    expect(journal.dirty).toBe(false);
    expect(journal.takeRecovered()).toEqual({ telemetry: [{ seq: 1 }], events: [{ seq: 2 }] });
    journal.clear();
    expect(described(journal.takeOps())).toEqual(['del 0', 'del 1']);
  });

  it('never deletes a chunk that was never written', () => {
    const journal = new GatherJournal();
    journal.add('telemetry', '{"seq":1}');
    journal.takeOps();
    // The batch is formed while the chunk's commit is in flight, and the commit fails.
    journal.clear();
    journal.notWritten();
    expect(journal.takeOps()).toEqual([]);

    journal.add('telemetry', '{"seq":2}');
    journal.takeOps();
    journal.notWritten();
    journal.clear();
    expect(journal.takeOps()).toEqual([]);
    expect(journal.takeRecovered()).toEqual({ telemetry: [], events: [] });
  });
});
