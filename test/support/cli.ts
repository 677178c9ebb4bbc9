// Running the compiled CLI from the tests, as a user's shell would.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry point. */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `qat ...args` to completion; a hung CLI is killed after ten minutes instead of stalling the whole run. */
export function qat(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
