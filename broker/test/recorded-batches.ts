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
type ArrayBatch = (operations: Array<{ key: string }>, options?: { sync?: boolean }) => Promise<void>;

/**
 * Records every batch written to `db`, in the array or the chained form, as it is asked
 * to write; `before(n)` (n counts from 1) runs before the nth reaches the database, to
 * hold it at the disk. Through the public API: what LevelDB is asked to write.
 */
export function recordBatches(
  db: ClassicLevel<string, Buffer>,
  before: (n: number) => Promise<void> | void = () => undefined,
): RecordedBatch[] {
  const batches: RecordedBatch[] = [];
  const original = db.batch.bind(db) as unknown as (...args: unknown[]) => unknown;
  const record = async (keys: string[], sync: boolean, write: () => Promise<void>) => {
    batches.push({ keys, sync });
    await before(batches.length);
    await write();
  };
  const batch = (operations?: Array<{ key: string }>, options?: { sync?: boolean }) => {
    if (operations !== undefined) {
      return record(
        operations.map((operation) => operation.key),
        options?.sync === true,
        () => (original as ArrayBatch)(operations, options),
      );
    }
    const chained = original() as ChainedBatch;
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
    chained.write = (writeOptions) => record(keys, writeOptions?.sync === true, () => write(writeOptions));
    return chained;
  };
  (db as unknown as { batch: typeof batch }).batch = batch;
  return batches;
}
