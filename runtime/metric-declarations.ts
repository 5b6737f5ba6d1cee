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
    /** `onScrape` runs at every scrape, before the value is read (to set it from live state). */
    gauge: <L extends string = string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
      onScrape?: (gauge: Gauge<L>) => void,
    ) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        ...(onScrape
          ? {
              collect(this: Gauge<L>) {
                onScrape(this);
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

/** Shows each value of a one-label counter as 0 from the start, so a rate() over it works before the first increment. */
export function zeroed<L extends string>(
  counter: Counter<L>,
  label: L,
  values: readonly string[],
): Counter<L> {
  for (const value of values) counter.inc({ [label]: value } as Partial<Record<L, string>>, 0);
  return counter;
}
