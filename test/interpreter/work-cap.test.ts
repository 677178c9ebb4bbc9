// The per-invoke work cap weighs a multiply-add by what its kernel costs:
// a small, well-formed float CONV_2D over a large image used to pass the
// cap (it counted like int8) and then ran for ~20 s in one invoke.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { FLOAT_MAC_COST } from '../../src/interpreter/plan/cost.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { CLI_MAIN } from '../support/cli.js';

const C = 64;

function conv(size: number, type: 'FLOAT32' | 'INT8'): Uint8Array {
  const b = new ModelBuilder();
  const q = (s: number) => ({ scale: [s], zeroPoint: [0] });
  const float = type === 'FLOAT32';
  const x = b.addInput({ name: 'x', shape: [1, size, size, C], type, ...(float ? {} : { quantization: q(0.02) }) });
  const w = b.addTensor({
    name: 'w', shape: [C, 3, 3, C], type,
    ...(float
      ? { data: new Float32Array(C * 9 * C).fill(0.01) }
      : { data: new Int8Array(C * 9 * C).fill(3), quantization: { scale: Array<number>(C).fill(0.01), zeroPoint: Array<number>(C).fill(0), quantizedDimension: 0 } }),
  });
  const y = b.addOutput({ name: 'y', shape: [1, size, size, C], type, ...(float ? {} : { quantization: q(0.05) }) });
  b.addOperator('CONV_2D', [x, w, -1], [y], { padding: 'SAME', fusedActivation: 'NONE' });
  return b.toBytes();
}

describe('interpreter work cap', function () {
  this.timeout(120_000);
  it('refuses a 145 KiB float CONV_2D over 640×640×64 at plan time, in one sentence', () => {
    const bytes = conv(640, 'FLOAT32');
    expect(bytes.length).to.be.below(150 * 1024);
    expect(() => Interpreter.fromBuffer(bytes)).to.throw(UserError, /^The model needs more than [\d.e+]+ multiply-adds per run \(reached at operator 0 \(CONV_2D\)\), beyond the interpreter's limit\.$/);
  });

  it('counts the same int8 conv at its own cost, and a larger per-invoke budget admits the float one', () => {
    const int8 = Interpreter.fromBuffer(conv(640, 'INT8'));
    const macs = 640 * 640 * C * 9 * C;
    expect(int8.workPerInvoke).to.equal(macs);
    const float = Interpreter.fromBuffer(conv(640, 'FLOAT32'), { maxWork: 2 ** 40 });
    expect(float.workPerInvoke).to.equal(macs * FLOAT_MAC_COST);
    const small = Interpreter.fromBuffer(conv(8, 'FLOAT32'));
    small.setInput(0, new Float32Array(8 * 8 * C).fill(1));
    small.invoke();
    expect((small.output(0) as Float32Array)[0]).to.be.closeTo(4 * C * 0.01, 1e-4);
  });

  it('qat run --max-work sets the per-invoke budget; over it is one sentence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qat-work-'));
    try {
      writeFileSync(join(dir, 'conv.tflite'), conv(8, 'FLOAT32'));
      writeFileSync(join(dir, 'x.bin'), new Uint8Array(8 * 8 * C * 4));
      const run = (...extra: string[]) => spawnSync(process.execPath, [CLI_MAIN, 'run', join(dir, 'conv.tflite'), '--input', join(dir, 'x.bin'), ...extra], { encoding: 'utf8' });
      expect(run().status).to.equal(0);
      const refused = run('--max-work', '1000');
      expect(refused.status).to.equal(2);
      expect(refused.stderr.trim().split('\n')).to.have.length(1);
      expect(refused.stderr).to.include('multiply-adds per run');
      expect(run('--max-work', '0').stderr).to.include('--max-work must be a positive number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
