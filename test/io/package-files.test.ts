// What `npm pack` ships: the compiled library and CLI, not the tests,
// benchmarks or TypeScript sources.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm package contents', function () {
  this.timeout(120_000);
  it('lists only what a user needs', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const needed of ['package.json', 'README.md', 'bin/qat.js', 'dist/src/index.js', 'dist/src/cli/main.js', 'dist/train/loop.js']) {
      expect(files, needed).to.include(needed);
    }
    const stray = files.filter((f) => /^(test|bench|scripts|examples|dist\/test|dist\/bench|dist\/scripts)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
    expect(stray).to.deep.equal([]);
    expect(files).to.include.members(['LICENSE', 'dist/src/index-browser.js', 'dist/src/index-browser.d.ts']);
    expect(files.filter((f) => f.endsWith('.map') || /^(dist\/examples|dist-web)\//.test(f))).to.deep.equal([]);
    // Every file the browser map swaps, and what it swaps in, ships.
    const browser = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { browser: Record<string, string> }).browser;
    for (const [from, to] of Object.entries(browser)) expect(files, `${from} → ${to}`).to.include.members([from.slice(2), to.slice(2)]);
  });
});
