// layers/ops gradients on wasm (and cpu) against tfjs's own gradients of
// tf.conv2d / tf.depthwiseConv2d / tf.matMul on the cpu backend.
// tfjs has no gradient for dilated convs, so for dilation > 1 the reference
// convolves with an explicitly dilated (zero-spread) filter at dilation 1,
// which tfjs differentiates through pad/reshape/slice.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import * as ops from '../../layers/ops.js';
import { convGeometry } from '../../layers/conv_geometry.js';
import { depthwiseInputGradByPhase } from '../../layers/conv_grads.js';
import { dilateFilter, GradResult, HostTensor, randomHost, relativeError, toTensor, valueAndGrads, onBackendNoLeak } from './grad_check.js';

const TOLERANCE = 1e-4;

type Kind = 'conv' | 'depthwise';

interface Case {
  kind: Kind;
  kernel: number;
  stride: number;
  dilation: number;
  padding: ops.Padding;
  size: [number, number];
  /** output channels for conv, depth multiplier for depthwise */
  outOrMultiplier: number;
}

const BATCH = 2;
const IN_CHANNELS = 3;

function outLength(size: number, c: Case): number {
  const span = (c.kernel - 1) * c.dilation + 1;
  return c.padding === 'same' ? Math.ceil(size / c.stride) : Math.ceil((size - span + 1) / c.stride);
}

function table(): Case[] {
  const out: Case[] = [];
  const geometries: Array<[number, number]> = [[1, 1], [2, 1], [1, 2]]; // [stride, dilation]; tfjs forbids both > 1
  const sizes: Array<[number, number]> = [[7, 7], [8, 8], [9, 6]];
  for (const kind of ['conv', 'depthwise'] as Kind[]) {
    const channelChoices = kind === 'conv' ? [4] : [1, 2];
    for (const kernel of [1, 2, 3, 4, 5]) {
      for (const [stride, dilation] of geometries) {
        for (const padding of ['same', 'valid'] as ops.Padding[]) {
          for (const size of sizes) {
            for (const outOrMultiplier of channelChoices) {
              const c: Case = { kind, kernel, stride, dilation, padding, size, outOrMultiplier };
              if (outLength(size[0], c) > 0 && outLength(size[1], c) > 0) out.push(c);
            }
          }
        }
      }
    }
  }
  return out;
}

function describeCase(c: Case): string {
  const ch = c.kind === 'conv' ? `cout ${c.outOrMultiplier}` : `mult ${c.outOrMultiplier}`;
  return `${c.kind} k${c.kernel} s${c.stride} d${c.dilation} ${c.padding} ${c.size[0]}x${c.size[1]} ${ch}`;
}

function inputsOf(c: Case, seed: number): HostTensor[] {
  const x = randomHost([BATCH, c.size[0], c.size[1], IN_CHANNELS], seed);
  const filter = randomHost([c.kernel, c.kernel, IN_CHANNELS, c.outOrMultiplier], seed + 1);
  return [x, filter];
}

function ours(c: Case) {
  const s: ops.Pair = [c.stride, c.stride];
  const d: ops.Pair = [c.dilation, c.dilation];
  return (x: tf.Tensor, f: tf.Tensor): tf.Tensor => c.kind === 'conv'
    ? ops.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, c.padding, d)
    : ops.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, c.padding, d);
}

function reference(c: Case) {
  return (x: tf.Tensor, f: tf.Tensor): tf.Tensor => {
    const f4 = c.dilation > 1 ? dilateFilter(f as tf.Tensor4D, [c.dilation, c.dilation]) : f as tf.Tensor4D;
    return c.kind === 'conv'
      ? tf.conv2d(x as tf.Tensor4D, f4, c.stride, c.padding)
      : tf.depthwiseConv2d(x as tf.Tensor4D, f4, c.stride, c.padding);
  };
}

interface Errors { value: number; dx: number; df: number }

function compare(got: GradResult, want: GradResult): Errors {
  expect(got.value.shape).to.deep.equal(want.value.shape);
  expect(got.grads[0].shape).to.deep.equal(want.grads[0].shape);
  expect(got.grads[1].shape).to.deep.equal(want.grads[1].shape);
  return {
    value: relativeError(got.value.data, want.value.data),
    dx: relativeError(got.grads[0].data, want.grads[0].data),
    df: relativeError(got.grads[1].data, want.grads[1].data),
  };
}

function expectWithin(e: Errors): void {
  expect(e.value, 'forward').to.be.at.most(TOLERANCE);
  expect(e.dx, 'input gradient').to.be.at.most(TOLERANCE);
  expect(e.df, 'filter gradient').to.be.at.most(TOLERANCE);
}

describe('layers/ops gradients', function () {
  const rows: string[] = [];

  before(async () => {
    await selectBackend('wasm');
    await tf.setBackend('cpu');
  });

  after(async () => {
    await tf.setBackend('cpu');
    if (process.env.QAT_GRAD_TABLE) console.log(rows.join('\n'));
  });

  // Every case under every formulation: 'fast' takes the matMul path for
  // 1×1 stride-1 convs, 'baseline' the flipped-filter / transposed convs.
  for (const formulation of ops.GRAD_FORMULATIONS) {
    describe(`formulation '${formulation}'`, () => {
      const previous = ops.gradFormulation();
      before(() => ops.setGradFormulation(formulation));
      after(() => ops.setGradFormulation(previous));

      table().forEach((c, i) => {
        it(`${describeCase(c)} matches tfjs cpu gradients on wasm and cpu`, async () => {
          const inputs = inputsOf(c, 1000 + 7 * i);
          const lossSeed = 99 + i;
          const want = await onBackendNoLeak('cpu', () => valueAndGrads(reference(c), inputs, lossSeed));
          const wasm = compare(await onBackendNoLeak('wasm', () => valueAndGrads(ours(c), inputs, lossSeed)), want);
          const cpu = compare(await onBackendNoLeak('cpu', () => valueAndGrads(ours(c), inputs, lossSeed)), want);
          const fmt = (e: Errors) => `y ${e.value.toExponential(1)} dx ${e.dx.toExponential(1)} df ${e.df.toExponential(1)}`;
          rows.push(`${formulation.padEnd(9)} ${describeCase(c).padEnd(44)} wasm: ${fmt(wasm)} | cpu: ${fmt(cpu)}`);
          expectWithin(wasm);
          expectWithin(cpu);
        });
      });

      it('a pointwise conv with many channels (the matMul path) matches tfjs cpu gradients', async () => {
        // The table's convs have 3 → 4 channels; a 1×1 layer as in MobileNet
        // (more rows than channels, cin ≠ cout) guards the reshapes.
        const c: Case = { kind: 'conv', kernel: 1, stride: 1, dilation: 1, padding: 'same', size: [5, 6], outOrMultiplier: 24 };
        const inputs = [randomHost([3, 5, 6, 17], 41), randomHost([1, 1, 17, 24], 42)];
        const want = await onBackendNoLeak('cpu', () => valueAndGrads(reference(c), inputs, 43));
        expectWithin(compare(await onBackendNoLeak('wasm', () => valueAndGrads(ours(c), inputs, 43)), want));
        expectWithin(compare(await onBackendNoLeak('cpu', () => valueAndGrads(ours(c), inputs, 43)), want));
      });
    });
  }

  // The table's strides are square and ≤ 2; the stride-phase split works per
  // axis, so mixed strides and stride 3 (three phases, some without taps) too.
  for (const strides of [[2, 1], [1, 3], [3, 2]] as ops.Pair[]) {
    for (const kind of ['conv', 'depthwise'] as Kind[]) {
      it(`${kind} k5 strides ${strides.join('x')} same/valid 11x10 matches tfjs cpu gradients on wasm and cpu`, async () => {
        for (const padding of ['same', 'valid'] as ops.Padding[]) {
          const inputs = [randomHost([2, 11, 10, 3], 61), randomHost([5, 5, 3, 2], 62)];
          const mine = (x: tf.Tensor, f: tf.Tensor) => kind === 'conv'
            ? ops.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, padding)
            : ops.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, padding);
          const ref = (x: tf.Tensor, f: tf.Tensor) => kind === 'conv'
            ? tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, padding)
            : tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, padding);
          const want = await onBackendNoLeak('cpu', () => valueAndGrads(ref, inputs, 63));
          expectWithin(compare(await onBackendNoLeak('wasm', () => valueAndGrads(mine, inputs, 63)), want));
          expectWithin(compare(await onBackendNoLeak('cpu', () => valueAndGrads(mine, inputs, 63)), want));
        }
      });
    }
  }

  // ops.depthwiseConv2d keeps the spread-dy input gradient (faster on wasm),
  // so the phase-split depthwise input gradient is checked directly.
  describe('depthwiseInputGradByPhase', () => {
    table().filter(c => c.kind === 'depthwise' && c.stride > 1).forEach((c, i) => {
      it(`${describeCase(c)} matches tfjs cpu input gradients on wasm and cpu`, async () => {
        const inputs = inputsOf(c, 3000 + 5 * i);
        const want = await onBackendNoLeak('cpu', () => valueAndGrads(reference(c), inputs, 77 + i));
        const dyHost = randomHost(want.value.shape, 77 + i); // the dy valueAndGrads used
        for (const backend of ['wasm', 'cpu']) {
          const got = await onBackendNoLeak(backend, () => tf.tidy(() => {
            const [x, f] = inputs.map(toTensor) as tf.Tensor4D[];
            const g = convGeometry(x.shape, f.shape, [c.stride, c.stride], c.padding, [1, 1], true);
            return depthwiseInputGradByPhase(toTensor(dyHost) as tf.Tensor4D, f, g).dataSync() as Float32Array;
          }));
          expect(relativeError(got, want.grads[0].data), `${backend} dx`).to.be.at.most(TOLERANCE);
        }
      });
    });
  });

  describe('conv2dConstInput', () => {
    const cases: Case[] = [
      { kind: 'conv', kernel: 3, stride: 1, dilation: 1, padding: 'valid', size: [9, 8], outOrMultiplier: 5 },
      { kind: 'conv', kernel: 3, stride: 2, dilation: 1, padding: 'same', size: [9, 9], outOrMultiplier: 4 },
      { kind: 'conv', kernel: 1, stride: 1, dilation: 1, padding: 'same', size: [6, 7], outOrMultiplier: 6 },
    ];
    cases.forEach((c, i) => {
      it(`${describeCase(c)}: the filter gradient matches tfjs cpu, computed from an input made inside the loss`, async () => {
        const [x, filter] = inputsOf(c, 500 + i);
        const s: ops.Pair = [c.stride, c.stride];
        // Only the filter is differentiated; x is scaled inside f, so it is an
        // intermediate that tf.grads disposes before the backward pass.
        const grad = (conv: typeof ops.conv2d) => (): Float32Array => {
          const xs = toTensor(x) as tf.Tensor4D;
          const out = tf.tidy(() => tf.grad((f: tf.Tensor) => {
            const y = conv(tf.mul(xs, 2) as tf.Tensor4D, f as tf.Tensor4D, s, c.padding);
            return tf.sum(tf.mul(y, tf.tensor(randomHost(y.shape, 7).data, y.shape)));
          })(tf.tensor(filter.data, filter.shape)).dataSync() as Float32Array);
          xs.dispose();
          return out;
        };
        const want = await onBackendNoLeak('cpu', grad((a, f, st, p) => tf.conv2d(a, f, st, p)));
        for (const backend of ['wasm', 'cpu']) {
          const got = await onBackendNoLeak(backend, grad(ops.conv2dConstInput));
          expect(relativeError(got, want), `${backend} filter gradient`).to.be.at.most(TOLERANCE);
        }
      });
    });

    it('refuses a gradient with respect to its input instead of returning zeros', async () => {
      await tf.setBackend('wasm');
      const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
      const f = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
      expect(() => tf.grad((t: tf.Tensor) => tf.sum(ops.conv2dConstInput(t as tf.Tensor4D, f, [1, 1], 'same')))(x)).to.throw(/gradient/i);
      tf.dispose([x, f]);
    });
  });

  it('dense matches tfjs cpu gradients on wasm and cpu', async () => {
    const inputs = [randomHost([5, 37], 1), randomHost([37, 11], 2)];
    const ref = (x: tf.Tensor, w: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
    const mine = (x: tf.Tensor, w: tf.Tensor) => ops.dense(x as tf.Tensor2D, w as tf.Tensor2D);
    const want = await onBackendNoLeak('cpu', () => valueAndGrads(ref, inputs, 3));
    expectWithin(compare(await onBackendNoLeak('wasm', () => valueAndGrads(mine, inputs, 3)), want));
    expectWithin(compare(await onBackendNoLeak('cpu', () => valueAndGrads(mine, inputs, 3)), want));
  });

  it('rejects a wrong gradient: a transposed filter gradient is caught', async () => {
    // Guards the comparison itself: a plausible bug (filter gradient with in/out
    // channels swapped) must exceed the tolerance.
    const c: Case = { kind: 'conv', kernel: 3, stride: 1, dilation: 1, padding: 'same', size: [7, 7], outOrMultiplier: 3 };
    const inputs = inputsOf(c, 5);
    const want = await onBackendNoLeak('cpu', () => valueAndGrads(reference(c), inputs, 6));
    const got = await onBackendNoLeak('wasm', () => valueAndGrads(ours(c), inputs, 6));
    const df = got.grads[1];
    const swapped = tf.tidy(() => tf.transpose(tf.tensor(df.data, df.shape), [0, 1, 3, 2]).dataSync() as Float32Array);
    expect(relativeError(swapped, want.grads[1].data)).to.be.greaterThan(TOLERANCE);
  });
});

describe('layers/ops memory', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  after(async () => {
    await tf.setBackend('cpu');
  });

  // No tidy around the step: saved tensors of the custom gradients would be
  // exactly what leaks, and tidy would hide it.
  it('a forward + backward step through every op (conv2dConstInput, maxPool, relu6, biasAdd, a 1×1 conv) leaves no tensors behind', () => {
    const x = tf.randomUniform([2, 9, 9, 3]) as tf.Tensor4D;
    const conv = tf.variable(tf.randomUniform([3, 3, 3, 4]));
    const dw = tf.variable(tf.randomUniform([3, 3, 4, 2]));
    const bias = tf.variable(tf.randomUniform([8]));
    const pw = tf.variable(tf.randomUniform([1, 1, 8, 6]));
    const fc = tf.variable(tf.randomUniform([4 * 4 * 6, 5]));
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const { value, grads } = tf.variableGrads(() => {
        const a = ops.conv2dConstInput(x, conv as tf.Variable<tf.Rank.R4>, [1, 1], 'same', [2, 2]);
        const p = ops.maxPool(a, [2, 2], [2, 2], 'valid');
        const b = ops.relu6(ops.biasAdd(ops.depthwiseConv2d(p, dw as tf.Variable<tf.Rank.R4>, [1, 1], 'same'), bias as tf.Variable<tf.Rank.R1>));
        const c = ops.conv2d(b, pw as tf.Variable<tf.Rank.R4>, [1, 1], 'valid');
        return tf.sum(ops.dense(tf.reshape(c, [2, -1]) as tf.Tensor2D, fc as tf.Variable<tf.Rank.R2>));
      });
      expect(Object.keys(grads)).to.have.length(5);
      value.dispose();
      tf.dispose(grads);
      const y = ops.conv2d(x, conv as tf.Variable<tf.Rank.R4>, [2, 2], 'same');
      y.dispose();
      expect(tf.memory().numTensors, `after step ${step}`).to.equal(before);
    }
    tf.dispose([x, conv, dw, bias, pw, fc]);
  });
});
