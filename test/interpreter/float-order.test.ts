// float32 single-op models against LiteRT.js on inputs whose sums depend on
// the order of the additions: powers of two from 2⁻¹² to 2¹² with random
// signs and mantissas, so large terms cancel and small ones survive or not
// depending on when they are added. The interpreter follows LiteRT's
// XNNPACK order (src/interpreter/kernels/xnn_f32_order.ts, mean.ts,
// transpose_conv.ts, softmax_xnn_f32.ts, average_pool2d.ts) and must give
// the same bits for every element. The last test shows these inputs do
// separate orders: a float64 sum rounded once misses LiteRT's MEAN.

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { Net, mulberry32 } from '../support/random-models.js';

/** Values ±m·2^e, e uniform in [−12, 12], m in [1, 2): sums of them are order-sensitive in float32. */
function orderSensitive(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1) * (1 + rand()) * 2 ** Math.floor(25 * rand() - 12));
}

const ORDER_OPS: Array<[string, () => Net]> = [
  ['CONV_2D 3×3, 4 channels (XNNPACK narrow tile)', () => { const n = new Net('c', [1, 7, 6, 5], 1); return n.output(n.conv(n.input, 4, 3, { act: 'NONE' })); }],
  ['CONV_2D 3×3 stride 2, 12 channels', () => { const n = new Net('c', [1, 7, 6, 5], 2); return n.output(n.conv(n.input, 12, 3, { stride: 2, act: 'NONE' })); }],
  ['CONV_2D 1×1, 10 channels (GEMM, narrow)', () => { const n = new Net('c', [1, 5, 5, 9], 3); return n.output(n.conv(n.input, 10, 1, { act: 'NONE' })); }],
  ['CONV_2D 1×1, 16 channels (GEMM)', () => { const n = new Net('c', [1, 5, 5, 9], 4); return n.output(n.conv(n.input, 16, 1, { act: 'NONE' })); }],
  ['CONV_2D 3×3, one channel to one (run as depthwise)', () => { const n = new Net('c', [1, 8, 7, 1], 5); return n.output(n.conv(n.input, 1, 3, { act: 'NONE' })); }],
  ['DEPTHWISE_CONV_2D 3×3', () => { const n = new Net('d', [1, 7, 6, 6], 6); return n.output(n.dw(n.input, 3, { act: 'NONE' })); }],
  ['DEPTHWISE_CONV_2D 5×5 stride 2', () => { const n = new Net('d', [1, 9, 8, 5], 7); return n.output(n.dw(n.input, 5, { stride: 2, act: 'NONE' })); }],
  ['DEPTHWISE_CONV_2D 7×7 (row order above 25 taps)', () => { const n = new Net('d', [1, 9, 10, 4], 21); return n.output(n.dw(n.input, 7, { act: 'NONE' })); }],
  ['DEPTHWISE_CONV_2D 3×3 multiplier 2', () => { const n = new Net('d', [1, 7, 6, 3], 8); return n.output(n.dw(n.input, 3, { mult: 2, act: 'NONE' })); }],
  ['FULLY_CONNECTED 40 → 10 (narrow)', () => { const n = new Net('f', [2, 40], 9); return n.output(n.fc(n.input, 10)); }],
  ['FULLY_CONNECTED 40 → 16', () => { const n = new Net('f', [2, 40], 10); return n.output(n.fc(n.input, 16)); }],
  ['TRANSPOSE_CONV 3×3 stride 2 SAME, 4 channels (narrow)', () => { const n = new Net('t', [1, 4, 5, 6], 11); return n.output(n.tconv(n.input, 4, 3)); }],
  ['TRANSPOSE_CONV 3×3 stride 2 VALID, 9 channels', () => { const n = new Net('t', [1, 4, 5, 6], 12); return n.output(n.tconv(n.input, 9, 3, { padding: 'VALID' })); }],
  ['TRANSPOSE_CONV 4×4 stride 2 SAME, 8 channels', () => { const n = new Net('t', [1, 3, 4, 5], 13); return n.output(n.tconv(n.input, 8, 4)); }],
  ['MEAN over H,W (instance norm)', () => { const n = new Net('m', [1, 9, 7, 5], 14); return n.output(n.mean(n.input, [1, 2], true)); }],
  ['MEAN over channels, 37 of them (layer norm)', () => { const n = new Net('m', [1, 3, 4, 37], 15); return n.output(n.mean(n.input, [3], true)); }],
  ['MEAN over H,W,C', () => { const n = new Net('m', [1, 5, 4, 7], 16); return n.output(n.mean(n.input, [1, 2, 3], true)); }],
  ['AVERAGE_POOL_2D 3×3 stride 2 SAME', () => { const n = new Net('a', [1, 9, 9, 4], 17); return n.output(n.pool('avgpool', n.input, 3, 2, 'SAME')); }],
  ['AVERAGE_POOL_2D 2×2', () => { const n = new Net('a', [1, 6, 6, 4], 18); return n.output(n.pool('avgpool', n.input, 2)); }],
  ['SOFTMAX over 11 classes per pixel', () => { const n = new Net('s', [1, 4, 3, 11], 19); return n.output(n.unary('softmax', n.input)); }],
  ['SOFTMAX over 37', () => { const n = new Net('s', [1, 2, 2, 37], 20); return n.output(n.unary('softmax', n.input)); }],
];

async function differingBits(lrt: LiteRtRunner, net: Net, inputs: Float32Array[]): Promise<{ elements: number; differing: number }> {
  const bytes = net.float();
  const ours = Interpreter.fromBuffer(bytes);
  const theirs = await lrt.compile(bytes);
  let elements = 0;
  let differing = 0;
  try {
    for (const x of inputs) {
      ours.setInput(0, x);
      ours.invoke();
      const got = ours.output(0) as Float32Array;
      const want = (await theirs.run([x]))[0] as Float32Array;
      elements += want.length;
      for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) differing++;
    }
  } finally {
    theirs.delete();
  }
  return { elements, differing };
}

describe('float32 single ops vs LiteRT on order-sensitive inputs: every element bit-identical', function () {
  this.timeout(300_000);
  let lrt: LiteRtRunner;
  before(async () => {
    lrt = await loadLiteRt();
  });

  for (const [name, make] of ORDER_OPS) {
    it(name, async () => {
      const net = make();
      const size = net.inputShape.reduce((a, b) => a * b, 1);
      const rand = mulberry32(name.length);
      const inputs = [
        ...Array.from({ length: 6 }, (_, k) => orderSensitive(size, 100 + k)),
        ...Array.from({ length: 4 }, () => Float32Array.from({ length: size }, () => 2 * rand() - 1)),
      ];
      const r = await differingBits(lrt, net, inputs);
      expect(r.elements).to.be.greaterThan(0);
      expect(r.differing, `of ${r.elements} elements`).to.equal(0);
    });
  }

  it('these inputs separate summation orders: a float64 mean rounded once differs from LiteRT\'s MEAN', async () => {
    const n = new Net('m', [1, 3, 4, 37], 15);
    n.output(n.mean(n.input, [3], true));
    const m = await lrt.compile(n.float());
    let differing = 0;
    try {
      for (let k = 0; k < 6; k++) {
        const x = orderSensitive(3 * 4 * 37, 100 + k);
        const y = (await m.run([x]))[0] as Float32Array;
        for (let r = 0; r < 12; r++) {
          let s = 0;
          for (let j = 0; j < 37; j++) s += x[r * 37 + j]!;
          if (Math.fround(s / 37) !== y[r]) differing++;
        }
      }
    } finally {
      m.delete();
    }
    expect(differing, 'of 72 means').to.be.greaterThan(10);
  });
});
