import type { ClassicLevel } from 'classic-level';

/** A batch written to LevelDB: the keys in it, in order, and whether it asked for a sync. */
export interface RecordedBatch {
  keys: string[];
  sync: boolean;
}

/** The chained batch's methods as the group commit calls them. */
interface ChainedBatch {
  put(key: string, value: Buffer, options?: object): ChainedBatch;
  del(key: string, options?: object): ChainedBatch;
  write(options?: { sync?: boolean }): Promise<void>;
}

/**
 * Records every chained batch written to `db` (the group commit's only way of writing), as
 * it is asked to write; `before(n)` (n counts from 1) runs before the nth reaches the
 * database, to hold it at the disk. Through the public API: what LevelDB is asked to write.
 */
export function recordBatches(
  db: ClassicLevel<string, Buffer>,
  before: (n: number) => Promise<void> | void = () => undefined,
): RecordedBatch[] {
  const batches: RecordedBatch[] = [];
  const original = db.batch.bind(db) as unknown as () => ChainedBatch;
  const batch = (...operations: unknown[]) => {
    // Not passed on unrecorded: a test of a write in the array form would pass without seeing it.
    if (operations.length > 0) throw new Error('recordBatches records chained batches only: db.batch()');
    const chained = original();
    const keys: string[] = [];
    const put = chained.put.bind(chained);
    const del = chained.del.bind(chained);
    const write = chained.write.bind(chained);
    chained.put = (key, value, putOptions) => {
      keys.push(key);
      return put(key, value, putOptions);
    };
    chained.del = (key, delOptions) => {
      keys.push(key);
      return del(key, delOptions);
    };
    chained.write = async (writeOptions) => {
      batches.push({ keys, sync: writeOptions?.sync === true });
      await before(batches.length);
      await write(writeOptions);
    };
    return chained;
  };
  (db as unknown as { batch: typeof batch }).batch = batch;
  return batches;
}
