// Training memory of the zoo models on the wasm backend, as qat train plans
// it: bytes per image of a step (float and QAT), and the micro-batch a batch
// of 64 runs as, for the sizes users train at. Measured from the backend's
// buffers (train/memory-plan.ts), not estimated.
//   npm run bench:memory            (tsc -p . && node dist/bench/memory.js)
import { selectBackend } from '../src/backend.js';
import { formatBytes } from '../src/backend-memory.js';
import { analyze } from '../src/ir/analyze.js';
import { resolveQatConfig } from '../quantize/config.js';
import { rewriteForQat } from '../quantize/rewrite.js';
import { buildTrainGraph } from '../train/graph/build.js';
import { measureStepMemory, peakOf, planStep } from '../train/memory-plan.js';
import { VariableStore } from '../train/state.js';
import { buildModel } from '../train/zoo/index.js';

const BATCH = 64;
const CASES: Array<[string, [number, number, number]]> = [
  ['mnist-cnn', [28, 28, 1]], ['resnet-tiny', [28, 28, 1]],
  ['mobilenet-v1', [28, 28, 1]], ['mobilenet-v2', [28, 28, 1]],
  ['mobilenet-v1', [96, 96, 3]], ['mobilenet-v2', [96, 96, 3]],
  ['mobilenet-v1', [224, 224, 3]], ['mobilenet-v2', [224, 224, 3]],
];

await selectBackend('wasm');
console.log(`batch ${BATCH}, default width (α 1); per image = the step's growth from 32 to 64 images / 32`);
console.log('model          input        mode   per image   batch-64 step   plan');
for (const [model, input] of CASES) {
  for (const qat of [false, true]) {
    const float = buildModel(model, { inputShape: input, numClasses: 10 });
    const a = analyze(qat ? rewriteForQat(float).graph : float);
    const store = VariableStore.forGraph(a, 1);
    try {
      const graph = buildTrainGraph(a, store, qat ? { qat: { config: resolveQatConfig(), startStep: 0 } } : {});
      const m = measureStepMemory(graph, store.trainable(), input)!;
      const perImage = (peakOf(m, 64) - peakOf(m, 32)) / 32;
      const p = planStep(m, BATCH, model);
      const plan = p.microBatch >= BATCH ? 'one pass' : `${Math.ceil(BATCH / p.microBatch)} × ≤ ${p.microBatch} (${formatBytes(p.peakBytes)} each)`;
      console.log(`${model.padEnd(14)} ${input.join('×').padEnd(12)} ${(qat ? 'QAT' : 'float').padEnd(6)} ${formatBytes(perImage).padStart(9)}   ${formatBytes(p.wholeBatchBytes).padStart(13)}   ${plan}`);
    } catch (e) {
      console.log(`${model.padEnd(14)} ${input.join('×').padEnd(12)} ${(qat ? 'QAT' : 'float').padEnd(6)} ${(e as Error).message}`);
    } finally {
      store.dispose();
    }
  }
}
