import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { RecordBlocks, type JournalOperation, type RecordPlace } from './record-blocks.js';

const packr = new Packr({ useRecords: false });
/** Each operation as `put key value` / `del key`, values decoded. */
const described = (operations: JournalOperation[]) =>
  operations.map((operation) =>
    operation.type === 'put' ? ['put', operation.key, packr.unpack(operation.value)] : ['del', operation.key],
  );
const places = (count: number): RecordPlace[] => Array.from({ length: count }, () => ({}));

describe('RecordBlocks', () => {
  it('writes what each group put since the last cut as one block, in put order', () => {
    const blocks = new RecordBlocks();
    const [a, b, c] = places(3) as [RecordPlace, RecordPlace, RecordPlace];
    blocks.put(a, 'ingest', () => ({ n: 1 }));
    blocks.put(b, 'alerting', () => ({ n: 2 }));
    blocks.put(c, 'ingest', () => ({ n: 3 }));
    expect(described(blocks.cut())).toEqual([
      ['put', 'blk:0', [{ n: 1 }, { n: 3 }]],
      ['put', 'blk:1', [{ n: 2 }]],
    ]);
    expect([a, b, c]).toEqual([
      { block: 0, index: 0 },
      { block: 1, index: 0 },
      { block: 0, index: 1 },
    ]);
    expect(blocks.cut()).toEqual([]);
  });

  it('encodes a record as the batch is cut, in its state then', () => {
    const blocks = new RecordBlocks();
    const record = { messageId: 1 };
    blocks.put({}, 'ingest', () => ({ ...record }));
    record.messageId = 2;
    expect(described(blocks.cut())).toEqual([['put', 'blk:0', [{ messageId: 2 }]]]);
  });

  it('lists gone records until the last one goes, then deletes the block and its list together', () => {
    const blocks = new RecordBlocks();
    const [a, b, c] = places(3) as [RecordPlace, RecordPlace, RecordPlace];
    for (const place of [a, b, c]) blocks.put(place, 'ingest', () => ({}));
    blocks.cut();
    blocks.remove(c);
    blocks.remove(a);
    expect(described(blocks.cut())).toEqual([['put', 'bdel:0', [2, 0]]]);
    blocks.remove(b);
    expect(described(blocks.cut())).toEqual([
      ['del', 'blk:0'],
      ['del', 'bdel:0'],
    ]);
    expect(blocks.size).toBe(0);
  });

  it('never writes a record that goes before its batch is cut', () => {
    const blocks = new RecordBlocks();
    const [a, b] = places(2) as [RecordPlace, RecordPlace];
    blocks.put(a, 'ingest', () => ({ n: 1 }));
    blocks.put(b, 'ingest', () => ({ n: 2 }));
    blocks.remove(a);
    expect(described(blocks.cut())).toEqual([['put', 'blk:0', [{ n: 2 }]]]);
    blocks.put(a, 'ingest', () => ({ n: 3 }));
    blocks.remove(a);
    expect(blocks.cut()).toEqual([]);
  });

  it('moves a record put again to the next block, and writes it once when it is put twice before a cut', () => {
    const blocks = new RecordBlocks();
    const [a, b] = places(2) as [RecordPlace, RecordPlace];
    blocks.put(a, 'ingest', () => ({ cmd: 'publish' }));
    blocks.put(b, 'ingest', () => ({ cmd: 'publish' }));
    blocks.put(a, 'ingest', () => ({ cmd: 'publish', dup: true }));
    expect(described(blocks.cut())).toEqual([
      ['put', 'blk:0', [{ cmd: 'publish' }, { cmd: 'publish', dup: true }]],
    ]);
    blocks.put(a, 'ingest', () => ({ cmd: 'pubrel' }));
    expect(described(blocks.cut())).toEqual([
      ['put', 'blk:1', [{ cmd: 'pubrel' }]],
      ['put', 'bdel:0', [1]],
    ]);
    expect(a).toEqual({ block: 1, index: 0 });
    expect(blocks.locate(a)).toEqual({ key: 'blk:1', index: 0 });
  });

  it('deletes the own key of a record from a journal before blocks when it goes or moves', () => {
    const blocks = new RecordBlocks();
    const moved: RecordPlace = { ownKey: 'out:ingest:broker-a:1' };
    const acknowledged: RecordPlace = { ownKey: 'out:ingest:broker-a:2' };
    expect(blocks.locate(acknowledged)).toEqual({ key: 'out:ingest:broker-a:2' });
    blocks.put(moved, 'ingest', () => ({ cmd: 'pubrel' }));
    blocks.remove(acknowledged);
    expect(described(blocks.cut())).toEqual([
      ['put', 'blk:0', [{ cmd: 'pubrel' }]],
      ['del', 'out:ingest:broker-a:1'],
      ['del', 'out:ingest:broker-a:2'],
    ]);
    expect(blocks.locate(acknowledged)).toBeUndefined();
  });

  it('goes on from the blocks read at start-up: their live records, numbers past theirs and orphans', () => {
    const blocks = new RecordBlocks();
    blocks.restore(
      [
        { block: 3, size: 2, gone: [1] },
        { block: 5, size: 1, gone: [0] },
      ],
      [9],
    );
    const survivor: RecordPlace = { block: 3, index: 0 };
    blocks.put({}, 'ingest', () => ({ n: 1 }));
    expect(described(blocks.cut())).toEqual([
      ['put', 'blk:10', [{ n: 1 }]],
      ['del', 'blk:5'],
      ['del', 'bdel:5'],
      ['del', 'bdel:9'],
    ]);
    blocks.remove(survivor);
    expect(described(blocks.cut())).toEqual([
      ['del', 'blk:3'],
      ['del', 'bdel:3'],
    ]);
  });

  it('restores as many blocks as a consumer away for a week leaves (one message per block)', () => {
    const blocks = new RecordBlocks();
    const stored = Array.from({ length: 300_000 }, (_, block) => ({ block, size: 1, gone: [] }));
    blocks.restore(stored);
    expect(blocks.size).toBe(300_000);
    blocks.put({}, 'ingest', () => ({}));
    expect(blocks.cut().map((operation) => operation.key)).toEqual(['blk:300000']);
  });
});
