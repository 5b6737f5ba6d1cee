import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Declares a service's Prometheus metrics on its registry, one line each: what differs
 * between two metrics is their name, help text, labels (and buckets), not the
 * `new Counter({ …, registers })` around them.
 */
export function metricsOn(registry: Registry) {
  const registers = [registry];
  return {
    counter: <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers }),
    /** `sample` runs at every scrape and sets the value (a depth, a size read when asked). */
    gauge: <L extends string = string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
      sample?: () => number,
    ) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        ...(sample
          ? {
              collect(this: Gauge<L>) {
                this.set(sample());
              },
            }
          : {}),
      }),
    histogram: <L extends string = string>(
      name: string,
      help: string,
      buckets: number[],
      labelNames: readonly L[] = [],
    ) => new Histogram<L>({ name, help, buckets, labelNames, registers }),
  };
}
