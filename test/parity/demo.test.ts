// `qat demo` with tiny settings: every step runs, the summary is printed,
// and every file it announces exists.
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../train/helpers.js';
import { qat } from './helpers.js';

describe('qat demo', function () {
  const dir = scratchDir('demo');
  after(() => dir.remove());

  it('trains, fine-tunes, exports, runs a digit, checks parity and announces existing files', () => {
    const out = join(dir.path, 'demo');
    const args = ['demo', '--out', out, '--epochs', '1', '--qat-epochs', '1', '--limit', '150', '--parity-limit', '30', '--batch', '50', '--min-agreement', '0', '--backend', 'wasm'];
    const r = qat(...args);
    expect(r.status, r.stderr).to.equal(0);
    const s = r.stdout;
    for (const step of ['[1/5] float training', '[2/5] quantization-aware fine-tuning', '[3/5] export', '[4/5] int8 interpreter on test digit', '[5/5] parity']) {
      expect(s).to.contain(step);
    }
    expect(s).to.match(/top classes: \d \(\d+\.\d%\), \d \(\d+\.\d%\), \d \(\d+\.\d%\)/);
    expect(s).to.match(/argmax agreement: eval graph vs interpreter \d+\.\d\d% \(\d+\/30\)/);
    expect(s).to.match(/^done in /m);

    const files = s.slice(s.indexOf('\nfiles:\n')).split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s{2,}/)[0]!);
    expect(files.length).to.be.at.least(6);
    for (const f of files) expect(existsSync(f), f).to.equal(true);
    for (const f of ['float/report.html', 'qat/report.html', 'float/metrics.json', 'qat/checkpoint/config.json', 'digit.npy', 'digit.bin']) {
      expect(existsSync(join(out, f)), f).to.equal(true);
    }
    const summary = JSON.parse(readFileSync(join(out, 'demo.json'), 'utf8')) as { parity: { count: number; agreement: number }; bytes: { int8: number; float: number } };
    expect(summary.parity.count).to.equal(30);
    expect(summary.bytes.int8).to.be.below(summary.bytes.float);

    // The digit it saved runs in `qat run`, with the same top class.
    const run = qat('run', join(out, 'model.int8.tflite'), '--input', join(out, 'digit.png'), '--json');
    expect(run.status, run.stderr).to.equal(0);
    const top = (JSON.parse(run.stdout) as { top: Array<{ class: number }> }).top[0]!.class;
    expect(s).to.match(new RegExp(`top classes: ${top} \\(`));

    // A rerun replaces the demo's own files; a directory it did not write is refused.
    const again = qat(...args);
    expect(again.status, again.stderr).to.equal(0);
    const mine = join(dir.path, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    const foreign = qat('demo', '--out', mine, '--limit', '20', '--backend', 'wasm');
    expect(foreign.status).to.equal(2);
    expect(foreign.stderr.trim()).to.match(/^qat: .* is not empty and was not written by qat demo; choose another --out$/);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).to.equal('keep me');
  });
});
