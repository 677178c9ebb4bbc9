// The per-invoke work cap weighs a multiply-add by what its kernel costs:
// a small, well-formed float CONV_2D over a large image used to pass the
// cap (it counted like int8) and then ran for ~20 s in one invoke.
import { expect } from 'chai';
import { UserError } from '../../src/errors.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { FLOAT_MAC_COST } from '../../src/interpreter/plan/cost.js';
import { ModelBuilder } from '../../src/tflite/index.js';

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

describe('interpreter work cap', () => {
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
});
