// Running the compiled CLI and headless Chromium from the parity tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';


export { qat, type CliResult } from '../support/cli.js';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * The DOM headless Chromium builds from an HTML file (so what a browser
 * shows, not the file's text), or null when Chromium is not installed.
 */
export function renderedDom(file: string): string | null {
  if (!existsSync(CHROMIUM)) return null;
  const profile = mkdtempSync(join(tmpdir(), 'qat-chromium-'));
  try {
    const r = spawnSync(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', pathToFileURL(file).href,
    ], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`chromium exited with ${r.status ?? r.signal}: ${r.stderr.slice(-500)}`);
    return r.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
