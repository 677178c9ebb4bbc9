// `qat train` / `qat eval` end to end through the real CLI (non-TTY output).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './helpers.js';
import { CLI_MAIN, qat } from '../support/cli.js';



describe('qat train / qat eval', function () {
  const dir = scratchDir('cli');
  after(() => dir.remove());
  const run = join(dir.path, 'run');

  it('trains, prints the backend, writes a run that eval --json reads', () => {
    const t = qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--limit', '40', '--epochs', '1', '--batch', '20', '--out', run, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stdout).to.include('backend: wasm');
    expect(t.stdout).to.match(/epoch 1\/1 .*test acc/);
    expect(t.stdout).to.not.include('\r');
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { finalTestAccuracy: number };
    const e = qat('eval', '--run', run, '--json', '--backend', 'wasm');
    expect(e.status, e.stderr).to.equal(0);
    const out = JSON.parse(e.stdout) as { accuracy: number; count: number };
    expect(out.accuracy).to.be.within(0, 1);
    expect(out.count).to.equal(40);
    expect(out.accuracy).to.equal(metrics.finalTestAccuracy);
  });

  it('answers bad input with one sentence and a non-zero exit', () => {
    const cases = [
      qat('train', '--model', 'resnet-huge', '--dataset', 'synthetic', '--out', join(dir.path, 'x')),
      qat('train', '--model', 'mnist-cnn', '--dataset', 'synthetic', '--out', join(dir.path, 'x'), '--alpha', '0.5'),
      qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--out', run),
      qat('eval', '--run', join(dir.path, 'missing')),
    ];
    const expected = ["unknown model 'resnet-huge'", 'has no width multiplier', 'already holds a run', 'no run directory'];
    cases.forEach((c, i) => {
      expect(c.status).to.equal(2);
      expect(c.stderr.trim().split('\n')).to.have.length(1);
      expect(c.stderr).to.include(expected[i]);
    });
  });

  it('saves a resumable checkpoint on Ctrl-C and resumes with --from', async () => {
    const out = join(dir.path, 'interrupted');
    const child = spawn(process.execPath, [CLI_MAIN, 'train', '--model', 'lenet5', '--dataset', 'synthetic', '--limit', '400', '--epochs', '2', '--batch', '8', '--out', out, '--backend', 'wasm']);
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && /step \d+\/50/.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stdout).to.equal(130);
    expect(stdout).to.include('interrupted at epoch 1');
    const config = JSON.parse(readFileSync(join(out, 'checkpoint', 'config.json'), 'utf8')) as { complete: boolean; step: number; stepInEpoch: number };
    expect(config.complete).to.equal(false);
    expect(config.step).to.be.greaterThan(0).and.lessThan(100);
    const resumed = qat('train', '--from', out, '--backend', 'wasm');
    expect(resumed.status, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.include(`resuming at epoch 1 step ${config.stepInEpoch + 1}`);
    const after = JSON.parse(readFileSync(join(out, 'checkpoint', 'config.json'), 'utf8')) as { complete: boolean; step: number };
    expect(after).to.deep.include({ complete: true, step: 100 });
  });
});
