// The QAT train graph applies a fused layer's relu/relu6 inside the
// activation fake quant that follows it, and runs a folded batch norm with
// that fake quant as one op (train/graph/build.ts fakeQuantFusions,
// qat-ops.ts). That must change nothing but the number of passes: loss, every gradient, the observed ranges and the BN
// statistics are compared bit for bit with the unfused graph, in every QAT
// phase (quant delay, EMA fake quant, learned ranges), on inputs where
// activations sit exactly on relu's and relu6's kinks.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { resolveQatConfig, type QatConfig } from '../../quantize/config.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { buildTrainGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { useWasm } from './helpers.js';

function net(): Graph {
  const b = new GraphBuilder('fusion-net');
  let x = b.input('input', [8, 8, 2]);
  x = b.relu6('c1_relu6', b.batchNorm('c1_bn', b.conv2d('c1', x, { filters: 6, kernelSize: 3, padding: 'same', useBias: false })));
  x = b.batchNorm('dw_bn', b.depthwiseConv2d('dw', x, { kernelSize: 3, padding: 'same', useBias: false }));
  x = b.relu('c2_relu', b.conv2d('c2', x, { filters: 5, kernelSize: 3, padding: 'valid' }));
  x = b.flatten('flatten', x);
  return b.build([b.dense('logits', x, 3, { kernelInit: 'glorot' })]);
}

interface StepValues { loss: number; grads: Map<string, Float32Array>; updates: Map<string, Float32Array>; relu6Kernels: number; reluKernels: number; bnFakeQuantKernels: number }

/** One step's values; `config` null trains the float graph. */
async function step(ir: Graph, config: Partial<QatConfig> | null, fuse: boolean, steps: number): Promise<StepValues> {
  const store = VariableStore.forGraph(ir, 3);
  try {
    store.setStep(steps);
    const graph = buildTrainGraph(ir, store, { ...(config ? { qat: { config: resolveQatConfig(config), startStep: 0 } } : {}), fuseActivations: fuse });
    // Values on the kinks: whole numbers (0 and 6 included) through the first layer's exact 0/1 weights.
    const x = tf.tensor4d(Float32Array.from({ length: 4 * 8 * 8 * 2 }, (_, i) => ((i * 7) % 17) - 8), [4, 8, 8, 2]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const vars = store.trainable(config?.rangeMode === 'learned' ? ['weight', 'range'] : ['weight']);
    let updates = new Map<string, Float32Array>();
    let loss = NaN;
    let grads = new Map<string, Float32Array>();
    const profile = await tf.profile(() => {
      const r = tf.variableGrads(() => {
        const out = graph.run(x);
        updates = new Map([...out.statUpdates, ...out.rangeUpdates].map((u) => [u.name, Float32Array.from(u.value.dataSync())]));
        tf.dispose([...out.statUpdates, ...out.rangeUpdates].map((u) => u.value));
        return tf.losses.softmaxCrossEntropy(labels, out.logits) as tf.Scalar;
      }, [...vars.values()]);
      loss = r.value.dataSync()[0]!;
      grads = new Map([...vars].map(([n, v]) => [n, Float32Array.from(r.grads[v.name]!.dataSync())]));
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    tf.dispose([x, labels]);
    const count = (name: string): number => profile.kernels.filter((k) => k.name === name).length;
    return { loss, grads, updates, relu6Kernels: count('Relu6'), reluKernels: count('Relu'), bnFakeQuantKernels: count('QatBatchNormFakeQuant') };
  } finally {
    store.dispose();
  }
}

/** Bit for bit, but for the sign of zero (a masked gradient is dy · 0 apart and 0 fused). */
function expectSame(a: Map<string, Float32Array>, b: Map<string, Float32Array>, what: string): void {
  expect([...a.keys()].sort(), what).to.deep.equal([...b.keys()].sort());
  for (const [name, v] of a) {
    const w = b.get(name)!;
    const differing = v.filter((x, i) => !Object.is(x + 0, w[i]! + 0)).length;
    expect(differing, `${what} '${name}': ${differing} of ${v.length} differ`).to.equal(0);
  }
}

describe('relu/relu6 fused into the activation fake quant of the QAT train graph', function () {
  this.timeout(60000);
  before(useWasm);

  const ir = rewriteForQat(net()).graph;
  const phases: Array<[string, Partial<QatConfig>, number]> = [
    ['EMA fake quant (the fused pass)', {}, 5],
    ['quant delay (ranges observed, no fake quant)', { quantDelay: 100 }, 5],
    ['learned ranges', { rangeMode: 'learned' }, 5],
  ];
  for (const [label, config, steps] of phases) {
    it(`${label}: loss, gradients, ranges and BN statistics bit-identical to the unfused graph`, async () => {
      const fused = await step(ir, config, true, steps);
      const unfused = await step(ir, config, false, steps);
      expect(fused.loss).to.equal(unfused.loss);
      expectSame(fused.grads, unfused.grads, 'gradient');
      expectSame(fused.updates, unfused.updates, 'update');
      expect(unfused.relu6Kernels).to.be.greaterThan(0);
      // Fused, the relu6 runs only where the fake quant does not fuse it (every phase but EMA applies it first).
      if (label.startsWith('EMA')) expect(fused.relu6Kernels).to.equal(0);
      // In the EMA phase c1's and dw's batch norms run with their fake quants as one op; never unfused, never in other phases.
      expect(fused.bnFakeQuantKernels).to.equal(label.startsWith('EMA') ? 2 : 0);
      expect(unfused.bnFakeQuantKernels).to.equal(0);
    });
  }

  it('float graph: batch norm + relu6 and batch norm + relu as one op each, bit-identical to the ops apart', async () => {
    const b = new GraphBuilder('float-norm-act');
    let x = b.input('input', [8, 8, 2]);
    x = b.relu6('c1_relu6', b.batchNorm('c1_bn', b.conv2d('c1', x, { filters: 6, kernelSize: 3, padding: 'same', useBias: false })));
    x = b.relu('dw_relu', b.batchNorm('dw_bn', b.depthwiseConv2d('dw', x, { kernelSize: 3, padding: 'same', useBias: false })));
    x = b.batchNorm('c2_bn', b.conv2d('c2', x, { filters: 5, kernelSize: 1, useBias: false }));
    const float = b.build([b.dense('logits', b.flatten('flatten', x), 3, { kernelInit: 'glorot' })]);
    const fused = await step(float, null, true, 1);
    const unfused = await step(float, null, false, 1);
    expect(fused.loss).to.equal(unfused.loss);
    expectSame(fused.grads, unfused.grads, 'gradient');
    expectSame(fused.updates, unfused.updates, 'update');
    expect([unfused.relu6Kernels, unfused.reluKernels]).to.deep.equal([1, 1]);
    expect([fused.relu6Kernels, fused.reluKernels]).to.deep.equal([0, 0]);
  });
});
