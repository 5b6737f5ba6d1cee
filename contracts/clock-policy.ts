/**
 * How far a message's timestamp may be from the platform's clock (docs/clock-policy.md):
 * further ahead than `maxFutureS` means the sender's clock is wrong (ingest refuses it as
 * CLOCK_SKEW and alerting raises the gateway's clock alert); older than `maxAgeDays` is
 * too old to be a buffer replay.
 */
export const CLOCK_POLICY = { maxFutureS: 300, maxAgeDays: 30 } as const;
