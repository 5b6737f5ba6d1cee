import type { Component } from './lifecycle.js';

/** Where a service reads its config: a YAML file, then the environment, whose values override it. */
export interface ConfigSources {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a service built from its config and returns it: the handle that stops it. When
 * the start fails, what it had opened already (a port, a file lock) is released before the
 * error is passed on, so the process hosting it can report the failure and exit cleanly.
 */
export async function startService<S extends Component>(service: S): Promise<S> {
  try {
    await service.start();
    return service;
  } catch (error) {
    await service.stop().catch(() => undefined);
    throw error;
  }
}
