// One training step (forward + backward, no optimiser update) of a
// MobileNet-v1-like stack built directly on the layers/ops primitives:
// the zoo's mobilenet-v1 geometry at 32×32×3 (stem 3×3 stride 1, 13
// depthwise-separable blocks, stride-2 stages only while maps are ≥ 8 wide),
// BN-free (conv + bias + relu6), global average pool, dense logits.
//
//   node .build/<you>/bench/mobilenet_step.js [--alpha 0.5] [--batch 32] [--steps 5]
//        [--formulations reference,fast] [--profile]
//
// Each named gradient formulation (layers/grad_options.ts) is timed in the
// same process, interleaved step by step so machine load hits all alike.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backend.js';
import { biasAdd, conv2d, conv2dConstInput, dense, depthwiseConv2d, relu6 } from '../layers/ops.js';
import { GRAD_FORMULATIONS, GradFormulation, setGradFormulation } from '../layers/ops.js';
import { printKernelProfile } from './profile.js';
import { intFlag, namesFlag, stringOptions } from './args.js';

const INPUT: [number, number, number] = [32, 32, 3];
const CLASSES = 10;
/** [pointwise filters at alpha 1, stride] of blocks 1..13 (the zoo's table). */
const BLOCKS: Array<[number, 1 | 2]> = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

interface Layer {
  kind: 'conv' | 'dw';
  filter: tf.Variable<tf.Rank.R4>;
  bias: tf.Variable<tf.Rank.R1>;
  stride: 1 | 2;
}

interface MobileNet {
  layers: Layer[];
  fc: tf.Variable<tf.Rank.R2>;
  fcBias: tf.Variable<tf.Rank.R1>;
}

function createMobileNet(alpha: number): MobileNet {
  let seed = 1;
  const uniform = (shape: number[], fanIn: number) => {
    const limit = Math.sqrt(6 / fanIn);
    return tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed++));
  };
  const width = (f: number) => Math.max(1, Math.floor(f * alpha));
  const layers: Layer[] = [];
  let channels = width(32);
  let size = INPUT[0];
  const bias = (n: number) => tf.variable(tf.zeros([n])) as tf.Variable<tf.Rank.R1>;
  layers.push({ kind: 'conv', filter: uniform([3, 3, INPUT[2], channels], 27) as tf.Variable<tf.Rank.R4>, bias: bias(channels), stride: 1 });
  for (const [filters, stride] of BLOCKS) {
    const s: 1 | 2 = stride === 2 && size >= 8 ? 2 : 1;
    layers.push({ kind: 'dw', filter: uniform([3, 3, channels, 1], 9) as tf.Variable<tf.Rank.R4>, bias: bias(channels), stride: s });
    size = Math.ceil(size / s);
    const out = width(filters);
    layers.push({ kind: 'conv', filter: uniform([1, 1, channels, out], channels) as tf.Variable<tf.Rank.R4>, bias: bias(out), stride: 1 });
    channels = out;
  }
  return { layers, fc: uniform([channels, CLASSES], channels) as tf.Variable<tf.Rank.R2>, fcBias: bias(CLASSES) };
}

function variablesOf(m: MobileNet): tf.Variable[] {
  return [...m.layers.flatMap(l => [l.filter, l.bias]), m.fc, m.fcBias];
}

function loss(m: MobileNet, images: tf.Tensor4D, oneHot: tf.Tensor2D): tf.Scalar {
  let x = images;
  for (const l of m.layers) {
    // The images need no gradient: the stem skips its input-gradient conv.
    const conv = x === images ? conv2dConstInput : conv2d;
    const y = l.kind === 'conv'
      ? conv(x, l.filter, [l.stride, l.stride], 'same')
      : depthwiseConv2d(x, l.filter, [l.stride, l.stride], 'same');
    x = relu6(biasAdd(y, l.bias));
  }
  const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
  return tf.losses.softmaxCrossEntropy(oneHot, biasAdd(dense(pooled, m.fc), m.fcBias)) as tf.Scalar;
}

/** Forward + backward; returns the loss (reading it syncs the backend). */
function step(m: MobileNet, images: tf.Tensor4D, labels: tf.Tensor2D): number {
  const { value, grads } = tf.variableGrads(() => loss(m, images, labels), variablesOf(m));
  const v = value.dataSync()[0];
  tf.dispose([value, grads]);
  return v;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...stringOptions({ alpha: '0.5', batch: '32', steps: '5', formulations: GRAD_FORMULATIONS.join(',') }),
      profile: { type: 'boolean', default: false },
    },
  });
  const alpha = Number(values.alpha);
  const batch = intFlag(values.batch, 'batch');
  const steps = intFlag(values.steps, 'steps');
  const names = namesFlag(values.formulations, 'formulations', GRAD_FORMULATIONS);
  await selectBackend('wasm');

  const model = createMobileNet(alpha);
  const images = tf.randomUniform([batch, ...INPUT], 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, CLASSES, 'int32', 8) as tf.Tensor1D, CLASSES).toFloat()) as tf.Tensor2D;
  console.log(`MobileNet-v1-like, alpha ${alpha}, ${INPUT.join('×')} input, batch ${batch}, wasm; forward + backward per step`);

  const times = new Map<GradFormulation, number[]>(names.map(n => [n, []]));
  const lossOf = new Map<GradFormulation, number>();
  for (const n of names) { // warm-up: xnnpack operators, first-use kernel setup
    setGradFormulation(n);
    lossOf.set(n, step(model, images, labels));
  }
  const before = tf.memory().numTensors;
  for (let i = 0; i < steps; i++) {
    for (const n of names) {
      setGradFormulation(n);
      const t0 = performance.now();
      step(model, images, labels);
      times.get(n)!.push(performance.now() - t0);
    }
  }
  for (const n of names) {
    const ms = median(times.get(n)!);
    console.log(`  ${n.padEnd(10)} ${ms.toFixed(0).padStart(6)} ms/step (median of ${steps})  ${(batch * 1000 / ms).toFixed(1)} img/s  loss ${lossOf.get(n)!.toFixed(4)}`);
  }
  if (tf.memory().numTensors !== before) console.log(`  WARNING: ${tf.memory().numTensors - before} tensors leaked across steps`);

  if (values.profile) {
    for (const n of names) {
      setGradFormulation(n);
      console.log(`\nkernel profile, formulation '${n}':`);
      await printKernelProfile(() => { step(model, images, labels); });
    }
  }
  tf.dispose([images, labels, ...variablesOf(model)]);
}

main().catch(e => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
