// User mistakes on the command line that used to give a misleading or raw
// message: a model from another run handed to parity, output paths into
// missing folders (caught before the work runs), empty path flags, and
// yargs' multi-line "Invalid values:" cut to its first line.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../train/helpers.js';
import { qat } from './helpers.js';

describe('qat CLI: mistakes answered in one sentence', function () {
  this.timeout(600_000);
  const dir = scratchDir('cli-mistakes');
  after(() => dir.remove());
  const runA = join(dir.path, 'a');
  const runB = join(dir.path, 'b');
  const modelA = join(dir.path, 'a.tflite');
  const modelB = join(dir.path, 'b.tflite');

  before(() => {
    for (const [run, seed] of [[runA, '1'], [runB, '2']] as const) {
      const t = qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--limit', '40', '--epochs', '1', '--batch', '20', '--seed', seed, '--quantize', '--out', run, '--backend', 'wasm');
      expect(t.status, t.stderr).to.equal(0);
    }
    for (const [run, model] of [[runA, modelA], [runB, modelB]] as const) {
      const e = qat('export', '--run', run, '--out', model, '--backend', 'wasm');
      expect(e.status, e.stderr).to.equal(0);
    }
  });

  it('parity with the run\'s own export passes the provenance check', () => {
    const p = qat('parity', '--run', runA, '--model', modelA, '--limit', '20', '--no-litert', '--json', '--backend', 'wasm');
    expect(p.status, p.stderr).to.equal(0);
  });

  it('parity with another run\'s model says the model is not this run\'s export, not that agreement is low', () => {
    const p = qat('parity', '--run', runA, '--model', modelB, '--limit', '20', '--no-litert', '--backend', 'wasm');
    expect(p.status).to.not.equal(0);
    expect(p.stderr.trim()).to.match(/^qat: .*b\.tflite was not exported from .*a: its tensor '[^']+' holds other values than the run's; export it with qat export --run .*a$/);
    expect(p.stderr).to.not.match(/min-agreement/);
  });

  it('parity --report into a missing folder fails before comparing anything', () => {
    const report = join(dir.path, 'missing', 'p.html');
    const p = qat('parity', '--run', runA, '--model', modelA, '--limit', '20', '--no-litert', '--report', report, '--backend', 'wasm');
    expect(p.status).to.not.equal(0);
    expect(p.stderr.trim()).to.equal(`qat: Cannot write ${report} (--report): its folder ${join(dir.path, 'missing')} does not exist.`);
    expect(p.stdout, 'no comparison ran').to.equal('');
  });

  it('export --out into a missing folder is a sentence, not ENOENT, and writes nothing', () => {
    const out = join(dir.path, 'nowhere', 'x.tflite');
    const e = qat('export', '--run', runA, '--out', out, '--backend', 'wasm');
    expect(e.status).to.not.equal(0);
    expect(e.stderr.trim()).to.equal(`qat: Cannot write ${out} (--out): its folder ${join(dir.path, 'nowhere')} does not exist.`);
    expect(existsSync(out)).to.equal(false);
  });

  it('an empty --run names the flag', () => {
    for (const cmd of [['eval', '--run', ''], ['report', '--run', ''], ['export', '--run', '', '--out', join(dir.path, 'x.tflite')]]) {
      const r = qat(...cmd);
      expect(r.status, cmd.join(' ')).to.not.equal(0);
      expect(r.stderr.trim(), cmd.join(' ')).to.equal('qat: --run needs a path; it was given an empty value');
    }
  });

  it('a bad choice names the flag, the value and the choices on one line', () => {
    const r = qat('train', '--model', 'lenet5', '--optimizer', 'foo', '--out', join(dir.path, 'never'));
    expect(r.status).to.not.equal(0);
    expect(r.stderr.trim()).to.equal('qat: Invalid values: Argument: optimizer, Given: "foo", Choices: "adam", "sgd"');
  });
});
