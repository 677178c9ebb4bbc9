// `qat export` end to end: a QAT run trained by the CLI exports as int8
// (with the input quantization explained) and as float, and both run.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interpreter } from '../../src/interpreter/index.js';
import { loadLiteRt } from '../support/litert.js';
import { scratchDir } from '../train/helpers.js';
import { qat } from '../support/cli.js';



describe('qat export', function () {
  const dir = scratchDir('export-cli');
  after(() => dir.remove());
  const run = join(dir.path, 'run');

  it('exports a QAT run as int8 and float, both of which run', async () => {
    const t = qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--limit', '40', '--epochs', '1', '--batch', '20', '--quantize', '--out', run, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    const int8Path = join(dir.path, 'model.tflite');
    const e = qat('export', '--run', run, '--out', int8Path, '--backend', 'wasm');
    expect(e.status, e.stderr).to.equal(0);
    expect(e.stdout).to.match(/int8 mode, \d+ bytes/);
    expect(e.stdout).to.match(/ops: .*CONV_2D×2/);
    expect(e.stdout).to.match(/input 'input': int8 \[1,28,28,1\], scale [\d.e-]+, zero point -?\d+/);
    expect(e.stdout).to.match(/mean -?\d+, std [\d.]+/);

    const floatPath = join(dir.path, 'float.tflite');
    const f = qat('export', '--run', run, '--out', floatPath, '--mode', 'float', '--json', '--backend', 'wasm');
    expect(f.status, f.stderr).to.equal(0);
    const summary = JSON.parse(f.stdout) as { mode: string; bytes: number; inputs: Array<{ type: string }> };
    expect(summary.mode).to.equal('float');
    expect(summary.inputs[0]!.type).to.equal('float32');

    const int8Bytes = readFileSync(int8Path);
    const floatBytes = readFileSync(floatPath);
    expect(summary.bytes).to.equal(floatBytes.length);
    expect(int8Bytes.length).to.be.below(0.3 * floatBytes.length);
    const lrt = await loadLiteRt();
    for (const [bytes, x] of [[int8Bytes, new Int8Array(784)], [floatBytes, new Float32Array(784)]] as const) {
      const [y] = await lrt.run(new Uint8Array(bytes), [x]);
      const it = Interpreter.fromBuffer(bytes);
      it.setInput(0, x);
      it.invoke();
      const mine = it.output(0) as ArrayLike<number>;
      // Bit for bit, int8 and float32 (the interpreter sums floats in LiteRT's order).
      expect(Array.from(mine)).to.deep.equal(Array.from(y!));
    }
  });

  it('answers bad requests with one sentence and exit code 2', () => {
    const cases = [
      qat('export', '--run', join(dir.path, 'missing'), '--out', join(dir.path, 'x.tflite')),
      qat('export', '--run', run, '--out', join(dir.path, 'x.tflite'), '--mode', 'float', '--input-type', 'int8'),
    ];
    const expected = ['no run directory', 'integer I/O needs --mode int8'];
    cases.forEach((c, i) => {
      expect(c.status, c.stderr).to.equal(2);
      expect(c.stderr.trim().split('\n')).to.have.length(1);
      expect(c.stderr).to.include(expected[i]);
    });
  });

  it('documents its flags', () => {
    const h = qat('export', '--help');
    expect(h.status).to.equal(0);
    for (const flag of ['--run', '--out', '--mode', '--input-type', '--output-type', 'mean/std']) expect(h.stdout).to.include(flag);
  });
});
