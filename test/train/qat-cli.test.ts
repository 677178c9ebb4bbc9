// `qat train --quantize --from`, `qat calibrate` and `qat eval` of the
// results, end to end through the real CLI.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './helpers.js';
import { qat } from '../support/cli.js';
import { deriveFineTune, FINE_TUNE_DEFAULTS } from '../../train/fine-tune.js';
import { DEFAULT_LR } from '../../train/loop.js';
import { optimizerConfig } from '../../train/optimizers.js';



const accuracyOf = (run: string): number => (JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { finalTestAccuracy: number }).finalTestAccuracy;

describe('qat train --quantize / qat calibrate', function () {
  const dir = scratchDir('qat-cli');
  after(() => dir.remove());
  const float = join(dir.path, 'float');

  it('fine-tunes and calibrates a float run into quantized runs that qat eval reads', () => {
    const common = ['--dataset', 'synthetic', '--limit', '40', '--batch', '20', '--backend', 'wasm'];
    const f = qat('train', '--model', 'lenet5', ...common, '--epochs', '1', '--out', float);
    expect(f.status, f.stderr).to.equal(0);
    const q = qat('train', '--quantize', '--from', float, '--out', join(dir.path, 'qat'), '--weight-bits', '4', '--skip', 'logits', '--backend', 'wasm');
    expect(q.status, q.stderr).to.equal(0);
    expect(q.stdout).to.include('quantization: 8-bit activations, 4-bit per-channel weights');
    expect(q.stdout).to.include('layer logits (op dense) is not quantized: skipped by request (--skip)');
    // The header line names the fine-tune recipe and where its learning rate came from (lenet5's float rate is adam's 0.001).
    const tune = deriveFineTune({ lr: 0.001, optimizer: optimizerConfig('adam') }, {}, DEFAULT_LR);
    expect(q.stdout).to.include(`model: lenet5 (input 28×28×1`);
    expect(q.stdout).to.include(`adam lr ${tune.lr} ${FINE_TUNE_DEFAULTS.schedule} (fine-tune: lr ${FINE_TUNE_DEFAULTS.lrFactor} × the float run's 0.001), batch 20, ${FINE_TUNE_DEFAULTS.epochs} epoch`);
    const qc = JSON.parse(readFileSync(join(dir.path, 'qat', 'checkpoint', 'config.json'), 'utf8')) as { lr: number; schedule: string };
    expect([qc.lr, qc.schedule]).to.deep.equal([tune.lr, FINE_TUNE_DEFAULTS.schedule]);
    const c = qat('calibrate', '--from', float, '--batches', '2', '--out', join(dir.path, 'ptq'), '--backend', 'wasm');
    expect(c.status, c.stderr).to.equal(0);
    expect(c.stdout).to.match(/calibrated lenet5 .* over 2 batches of 20/);
    for (const run of ['qat', 'ptq'].map((r) => join(dir.path, r))) {
      const e = qat('eval', '--run', run, '--json', '--backend', 'wasm');
      expect(e.status, e.stderr).to.equal(0);
      expect((JSON.parse(e.stdout) as { accuracy: number }).accuracy).to.equal(accuracyOf(run));
      const config = JSON.parse(readFileSync(join(run, 'checkpoint', 'config.json'), 'utf8')) as { quantization?: { config: { weightBits: number } } };
      expect(config.quantization?.config.weightBits).to.equal(run.endsWith('qat') ? 4 : 8);
    }
  });

  it('answers bad quantization flags with one sentence', () => {
    const cases = [
      qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--out', join(dir.path, 'x'), '--bits', '4'),
      qat('train', '--quantize', '--model', 'lenet5', '--dataset', 'synthetic', '--out', join(dir.path, 'x'), '--skip', 'nope', '--limit', '20'),
      qat('train', '--quantize', '--from', float, '--backend', 'wasm'),
      qat('calibrate', '--from', join(dir.path, 'missing'), '--out', join(dir.path, 'y')),
    ];
    const expected = [/add --quantize/, /--skip names 'nope'/, /name it with --out/, /no run directory/];
    cases.forEach((r, i) => {
      expect(r.status, r.stdout).to.not.equal(0);
      expect(r.stderr).to.match(expected[i]);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
    });
  });
});
