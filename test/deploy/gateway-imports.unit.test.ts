import { describe, expect, it } from 'vitest';
import { importedPackages } from '../../deploy/index.js';

/**
 * Every package the gateway daemon imports stays in its memory while it runs (issue 26:
 * a gateway in 60 MB). Its HTTP page is node:http, its command line node:util, and the
 * LAN broker's aedes loads only for a gateway whose config enables the LAN.
 */
describe('what the gateway daemon (edge/main.ts) imports', () => {
  it('loads neither fastify nor commander, and aedes only on demand', async () => {
    const packages = await importedPackages('edge/main.ts');
    expect(packages.atStart).not.toContain('fastify');
    expect(packages.atStart).not.toContain('commander');
    expect(packages.atStart).not.toContain('aedes');
    expect(packages.onDemand).toContain('aedes');
    expect(packages.atStart).toEqual(
      expect.arrayContaining(['mqtt', 'modbus-serial', 'classic-level', 'pino']),
    );
  });
});
