// What `npm pack` ships: the compiled library and CLI, not the tests,
// benchmarks or TypeScript sources.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
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
  });
});
