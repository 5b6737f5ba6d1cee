import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../runtime/index.js';

/** Runs `edge/cli.ts` as a technician would; resolves with its output (stdout then stderr) and exit code. */
export async function runCli(...args: string[]): Promise<{ code: number; out: string }> {
  return runCliWithInput(undefined, ...args);
}

/** The same, typing `input` (e.g. an answer to a confirmation) on its standard input. */
export async function runCliWithInput(
  input: string | undefined,
  ...args: string[]
): Promise<{ code: number; out: string }> {
  try {
    const running = promisify(execFile)(process.execPath, ['--import', 'tsx', 'edge/cli.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    running.child.stdin?.end(input ?? '');
    const { stdout, stderr } = await running;
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}
