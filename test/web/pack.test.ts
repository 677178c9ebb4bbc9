// What `npm pack` ships: the compiled library, its CLI, README, LICENSE and
// package.json — no tests, benchmarks, scripts, examples, sources or maps.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm pack', function () {
  this.timeout(120_000);

  it('lists only what a user needs', () => {
    // --ignore-scripts: the suite has built dist already; prepare would only compile it again.
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).to.include.members(['README.md', 'LICENSE', 'package.json', 'bin/qat.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/index-browser.js', 'dist/src/internals.js']);
    const unwanted = files.filter((f) => /^(dist\/)?(test|bench|scripts|examples)\//.test(f) || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.startsWith('dist-web/'));
    expect(unwanted).to.deep.equal([]);
    // Everything the package's exports and browser map name is shipped.
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { browser: Record<string, string> };
    for (const [from, to] of Object.entries(pkg.browser)) expect(files, `${from} → ${to}`).to.include.members([from.slice(2), to.slice(2)]);
  });
});
