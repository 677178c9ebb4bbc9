// On wasm the QAT train graph takes its own paths: the folded weight kernel
// and its gradient as SIMD passes, BN statistics of z = y/f from numbers,
// the activation fake quant and its straight-through gradient as single
// passes. On the cpu backend the same graph runs as tfjs ops. One step of a
// MobileNet-like block (conv/depthwise + BN + relu6, a linear projection,
// a residual add, a dense head) must give the same loss, gradients, BN
// statistics and observed ranges on both, to float tolerance (the two
// backends accumulate in different orders; measured within 1e-5). γ and
// σ²_mov start away from 1 so that f, f² and 1 differ.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { selectBackend } from '../../src/backend.js';
import { resolveQatConfig } from '../../quantize/config.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { buildTrainGraph } from '../../train/graph/build.js';
import { crossEntropy } from '../../train/loss.js';
import { VariableStore } from '../../train/state.js';
import { randomHost, relativeError } from '../layers/grad_check.js';

function block(): Graph {
  const b = new GraphBuilder('qat-block');
  const input = b.input('input', [8, 8, 3]);
  const stem = b.relu6('stem_relu6', b.batchNorm('stem_bn', b.conv2d('stem', input, { filters: 8, kernelSize: 3, padding: 'same', useBias: false })));
  let x = b.relu6('expand_relu6', b.batchNorm('expand_bn', b.conv2d('expand', stem, { filters: 16, kernelSize: 1, useBias: false })));
  x = b.relu6('dw_relu6', b.batchNorm('dw_bn', b.depthwiseConv2d('dw', x, { kernelSize: 3, padding: 'same', useBias: false })));
  x = b.batchNorm('project_bn', b.conv2d('project', x, { filters: 8, kernelSize: 1, useBias: false }));
  x = b.add('residual', [stem, x]);
  return b.build([b.dense('logits', b.globalAvgPool('pool', x), 4, { kernelInit: 'glorot' })]);
}

interface StepValues { loss: number; values: Map<string, Float32Array> }

/** One QAT step's loss, weight/γ/β gradients and queued BN-statistic and range updates, on `backend`. */
async function qatStep(ir: Graph, backend: 'wasm' | 'cpu', step: number): Promise<StepValues> {
  await selectBackend(backend);
  const store = VariableStore.forGraph(ir, 5);
  try {
    store.setStep(step);
    // γ and σ²_mov away from 1, so that f = γ/σ_mov and f² are far apart and a formula using the wrong one shows.
    store.names().filter((n) => /\/(gamma|movingVariance)$/.test(n)).forEach((n, k) => {
      const v = store.get(n);
      v.assign(tf.tensor(Float32Array.from(randomHost(v.shape, 30 + k).data, (r) => 1.5 + r), v.shape));
    });
    const graph = buildTrainGraph(ir, store, { qat: { config: resolveQatConfig({}), startStep: 0 } });
    const images = randomHost([6, 8, 8, 3], 11);
    const x = tf.tensor4d(images.data, [6, 8, 8, 3]);
    const y = tf.tensor1d([0, 1, 2, 3, 1, 2], 'int32');
    const vars = store.trainable(['weight']);
    const values = new Map<string, Float32Array>();
    const r = tf.variableGrads(() => {
      const out = graph.run(x);
      for (const u of [...out.statUpdates, ...out.rangeUpdates]) values.set(`update ${u.name}`, Float32Array.from(u.value.dataSync()));
      tf.dispose([...out.statUpdates, ...out.rangeUpdates].map((u) => u.value));
      return crossEntropy(out.logits, y);
    }, [...vars.values()]);
    for (const [name, v] of vars) values.set(`gradient ${name}`, Float32Array.from(r.grads[v.name]!.dataSync()));
    const loss = r.value.dataSync()[0]!;
    tf.dispose([x, y, r.value, ...Object.values(r.grads)]);
    return { loss, values };
  } finally {
    store.dispose();
  }
}

describe('QAT train graph: wasm paths = cpu ops', function () {
  this.timeout(60_000);
  after(async () => {
    await selectBackend('cpu');
  });

  const ir = rewriteForQat(block()).graph;
  // Step 0 takes the first batch's range; step 3 blends it into the stored (initial) EMA.
  for (const step of [0, 3]) {
    it(`step ${step}: loss, gradients, BN statistics and ranges agree to float tolerance`, async () => {
      const wasm = await qatStep(ir, 'wasm', step);
      const cpu = await qatStep(ir, 'cpu', step);
      expect(Math.abs(wasm.loss - cpu.loss), 'loss').to.be.at.most(1e-4 * Math.abs(cpu.loss));
      expect([...wasm.values.keys()].sort()).to.deep.equal([...cpu.values.keys()].sort());
      expect([...cpu.values.keys()].filter((k) => k.includes('movingVariance')).length).to.equal(4);
      for (const [name, v] of cpu.values) {
        expect(relativeError(wasm.values.get(name)!, v), name).to.be.at.most(1e-4);
      }
    });
  }
});
