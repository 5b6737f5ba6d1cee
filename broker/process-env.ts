/**
 * Environment the broker's process should start with. Checking a password runs scrypt
 * with 16 MiB of working memory on one of libuv's threads; once glibc's dynamic mmap
 * threshold has risen past that size, each thread's arena keeps such blocks after they
 * are freed, so a burst of connects left the broker ~70 MiB larger for good (bench/README.md).
 * A fixed threshold keeps every block over 128 KiB in its own mapping, returned when freed.
 * glibc reads this at start-up only, hence the environment and not code.
 */
export const BROKER_PROCESS_ENV = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072' } as const;
