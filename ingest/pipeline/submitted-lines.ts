import type { EncodedLines, LineParts } from '../influx/encoded-lines.js';

/**
 * Submissions (each one message's lines, their measurements, what they belong to and a time)
 * as parallel lists: the write pipeline's queue, and each write's record of what it writes.
 *
 * Why lists rather than an object per submission: a message waits about a second for its
 * write while the young generation is collected every ~0.1 s, so each object it holds until
 * then is copied twice and promoted. The submission object (with its timestamp, a boxed
 * number as an object's field) was ~110 of the ~250 bytes a waiting per-device message held;
 * here the time is a double in a list of doubles and the rest are slots in lists.
 */
export class SubmittedLines<O> implements LineParts {
  /** Lines of every submission here. */
  points = 0;

  constructor(
    readonly blocks: Buffer[] = [],
    readonly starts: number[] = [],
    readonly ends: Array<readonly number[]> = [],
    /** The measurement of each line of each submission. */
    readonly measurements: Array<readonly string[]> = [],
    readonly owners: O[] = [],
    /** As submitted, told back once written (NaN: none). */
    readonly times: number[] = [],
  ) {
    for (const lineEnds of ends) this.points += lineEnds.length;
  }

  get length(): number {
    return this.owners.length;
  }

  push(lines: EncodedLines, measurements: readonly string[], owner: O, time: number): void {
    this.blocks.push(lines.block);
    this.starts.push(lines.start);
    this.ends.push(lines.ends);
    this.measurements.push(measurements);
    this.owners.push(owner);
    this.times.push(time);
    this.points += lines.ends.length;
  }

  /**
   * Moves the first submissions, as many as hold fewer than `maxPoints` lines and one more,
   * out into lists of their own (the lists `splice` returns: no copy of its own per write).
   */
  takeFirst(maxPoints: number): SubmittedLines<O> {
    let count = 0;
    let points = 0;
    while (count < this.length && points < maxPoints)
      points += (this.ends[count++] as readonly number[]).length;
    this.points -= points;
    return new SubmittedLines(
      this.blocks.splice(0, count),
      this.starts.splice(0, count),
      this.ends.splice(0, count),
      this.measurements.splice(0, count),
      this.owners.splice(0, count),
      this.times.splice(0, count),
    );
  }

  /** The submissions whose owner `keep` accepts. */
  filter(keep: (owner: O) => boolean): SubmittedLines<O> {
    const kept = new SubmittedLines<O>();
    for (let i = 0; i < this.length; i++) {
      if (!keep(this.owners[i] as O)) continue;
      kept.blocks.push(this.blocks[i] as Buffer);
      kept.starts.push(this.starts[i] as number);
      kept.ends.push(this.ends[i] as readonly number[]);
      kept.measurements.push(this.measurements[i] as readonly string[]);
      kept.owners.push(this.owners[i] as O);
      kept.times.push(this.times[i] as number);
      kept.points += (this.ends[i] as readonly number[]).length;
    }
    return kept;
  }
}
