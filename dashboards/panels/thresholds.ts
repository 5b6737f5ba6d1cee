import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

const OK = 'green';
const BAD = 'red';
const WARN = 'orange';

function absolute(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  for (let i = 1; i < steps.length; i++) {
    const previous = steps[i - 1]?.value ?? -Infinity;
    if ((steps[i]?.value ?? -Infinity) <= previous) throw new Error('threshold steps must ascend');
  }
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Red outside [low, high], green inside: a service band such as 198–235.4 V. */
export function bandThresholds(band: { low: number; high: number }): dashboard.ThresholdsConfigBuilder {
  return absolute([
    { value: null, color: BAD },
    { value: band.low, color: OK },
    { value: band.high, color: BAD },
  ]);
}

/** Green up to `max`, red above it: turbidity ≤ 1 NTU. */
export function upperLimitThresholds(max: number): dashboard.ThresholdsConfigBuilder {
  return absolute([
    { value: null, color: OK },
    { value: max, color: BAD },
  ]);
}

/** Green below `warnFrom`, orange from it, red from `badFrom` (red at once when equal): counts of problems. */
export function countThresholds(warnFrom = 1, badFrom?: number): dashboard.ThresholdsConfigBuilder {
  if (badFrom !== undefined && badFrom <= warnFrom) {
    return absolute([
      { value: null, color: OK },
      { value: badFrom, color: BAD },
    ]);
  }
  return absolute([
    { value: null, color: OK },
    { value: warnFrom, color: WARN },
    ...(badFrom !== undefined ? [{ value: badFrom, color: BAD }] : []),
  ]);
}

/** Red below `min`, green from it: devices online, success rates. */
export function lowerLimitThresholds(min: number): dashboard.ThresholdsConfigBuilder {
  return absolute([
    { value: null, color: BAD },
    { value: min, color: OK },
  ]);
}
