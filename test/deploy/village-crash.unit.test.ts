import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleOfStack } from '../../deploy/index.js';
import { CODE_ROOT } from '../../runtime/index.js';

const frame = (path: string) => `    at somewhere (file://${join(CODE_ROOT, path)}:10:5)`;

describe('which module of the village process crashed', () => {
  it('is the first of our service folders on the stack, past library and shared frames', () => {
    const stack = [
      'TypeError: cannot read properties of undefined',
      frame('node_modules/aedes/lib/client.js'),
      frame('runtime/logger.ts'),
      frame('ingest/pipeline/write-pipeline.ts'),
      frame('broker/broker-service.ts'),
    ].join('\n');
    expect(moduleOfStack(stack)).toBe('ingest');
  });

  it('is unknown when no frame is in a module, or there is no stack', () => {
    expect(moduleOfStack(['Error: x', frame('node_modules/mqtt/build/lib/client.js')].join('\n'))).toBe(
      undefined,
    );
    expect(moduleOfStack(undefined)).toBe(undefined);
  });

  it('does not take a folder of the same name outside the code for a module', () => {
    expect(moduleOfStack(['Error: x', '    at f (file:///opt/edge/broker/x.js:1:1)'].join('\n'))).toBe(
      undefined,
    );
  });
});
