// The importer on decoder layers: Conv2DTranspose, Cropping2D and
// UpSampling2D (nearest and bilinear) in a tfjs-layers model, built with
// the layers API, saved, imported; the float forward equals model.predict,
// and the QAT rewrite quantizes all of it into an int8 model our
// interpreter and LiteRT run identically. UpSampling2D bilinear
// keeps tfjs-layers' sample points, and takes Keras' half-pixel ones from a
// model Keras wrote.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { importLayersModel } from '../../src/import/index.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { analyze } from '../../src/ir/analyze.js';
import { exportGraph } from '../../export/index.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { activationRange } from '../../quantize/qparams.js';
import { fakeQuantIndex } from '../../quantize/math.js';
import { buildCalibrationGraph } from '../../train/graph/build.js';
import { loadLiteRt } from '../support/litert.js';
import { onBothRuntimes } from '../support/both-runtimes.js';
import { useWasm } from '../train/helpers.js';
import { seededImages } from '../export/helpers.js';
import { randomizeBatchNorm, saveLayersModel } from './helpers.js';

function decoderModel(): tf.LayersModel {
  const x = tf.input({ shape: [6, 5, 3], name: 'image' });
  let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'ct1' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: 'bn1' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ name: 'ct1_relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.upSampling2d({ size: [2, 2], name: 'up_nearest' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.cropping2D({ cropping: [[1, 2], [0, 3]], name: 'crop' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'c2' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear', name: 'up_bilinear' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.cropping2D({ cropping: 1, name: 'crop_all' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2dTranspose({ filters: 3, kernelSize: [3, 2], strides: 2, padding: 'valid', useBias: false, name: 'ct2' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'head' }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y, name: 'decoder' });
}

describe('import: Conv2DTranspose, Cropping2D and UpSampling2D', () => {
  it('a tfjs-layers decoder (Conv2DTranspose same and valid, BN, UpSampling2D, Cropping2D) imports and its float forward equals model.predict', async () => {
    const model = decoderModel();
    randomizeBatchNorm(model, 4);
    const path = await saveLayersModel(model);
    const { graph, weights } = importLayersModel(path);
    expect(graph.nodes.map((n) => n.op)).to.include.members(['crop', 'upsampleNearest', 'upsampleBilinear', 'conv2dTranspose', 'batchNorm']);
    const bilinear = graph.nodes.find((n): n is NodeOf<'upsampleBilinear'> => n.op === 'upsampleBilinear')!;
    expect(bilinear.attrs).to.deep.equal({ size: [2, 3], halfPixelCenters: false });
    const crop = graph.nodes.find((n): n is NodeOf<'crop'> => n.name === 'crop_all')!;
    expect(crop.attrs.cropping).to.deep.equal([[1, 1], [1, 1]]);
    const store = VariableStore.forGraph(graph, 1, weights);
    try {
      const x = tf.randomNormal([4, 6, 5, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const want = model.predict(x) as tf.Tensor;
      const got = buildEvalGraph(graph, store).run(x);
      expect(got.shape).to.deep.equal(want.shape);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!);
      expect(diff).to.be.at.most(1e-5);
      tf.dispose([x, want, got]);
    } finally {
      store.dispose();
      model.dispose();
    }
  });

  it('the imported decoder quantizes whole: int8 export, eval graph = interpreter = LiteRT', async () => {
    const model = decoderModel();
    randomizeBatchNorm(model, 6);
    const graph = await quantizedRoundTrip(model, 6);
    // BN and ReLU fold into the transposed conv.
    const ct1 = graph.nodes.find((n): n is NodeOf<'qconv2dTranspose'> => n.name === 'ct1')!;
    expect([ct1.op, ct1.attrs.activation, ct1.attrs.batchNorm !== null]).to.deep.equal(['qconv2dTranspose', 'relu', true]);
  });

  it('a U-Net-style encoder-decoder (skip concatenations around Conv2DTranspose and UpSampling2D, Cropping2D) quantizes whole', async () => {
    const graph = await quantizedRoundTrip(unetModel(), 4);
    expect(graph.nodes.filter((n) => n.op === 'concat')).to.have.length(2);
  });

  it('UpSampling2D bilinear from a model Keras wrote samples at half-pixel centers', async () => {
    const model = decoderModel();
    const path = await saveLayersModel(model);
    model.dispose();
    const json = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: Record<string, unknown> };
    expect(String(json.modelTopology.keras_version)).to.match(/^tfjs-layers/);
    json.modelTopology.keras_version = '2.15.0';
    writeFileSync(path, JSON.stringify(json));
    const { graph } = importLayersModel(path);
    const bilinear = graph.nodes.find((n): n is NodeOf<'upsampleBilinear'> => n.op === 'upsampleBilinear')!;
    expect(bilinear.attrs.halfPixelCenters).to.equal(true);
  });
});

/**
 * Saves and imports `model`, rewrites it for QAT (nothing may stay float),
 * calibrates, exports int8; on `count` inputs the interpreter equals LiteRT
 * and the eval graph's output codes equal the interpreter's. Returns the QAT graph.
 */
async function quantizedRoundTrip(model: tf.LayersModel, count: number): Promise<Graph> {
  await useWasm();
  const path = await saveLayersModel(model);
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  model.dispose();
  const imported = importLayersModel(path);
  const { graph, report } = rewriteForQat(imported.graph);
  expect(report).to.deep.equal([]);
  const a = analyze(graph);
  const store = VariableStore.forGraph(a, 2, imported.weights);
  const lrt = await loadLiteRt();
  const batch = (n: number, seed: number): tf.Tensor4D => tf.tensor4d(seededImages(n, shape, seed), [n, ...shape] as [number, number, number, number]);
  try {
    const cal = buildCalibrationGraph(a, store);
    const x = batch(8, 5);
    cal.observe(x, 0.5);
    x.dispose();
    const r = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' });
    // The input codes the eval graph's input fakeQuant rounds to (TF's FakeQuant rounding, not round(x / scale)).
    const inRange = activationRange(a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === a.inputs[0])!, store);
    const outQ = r.summary.outputs[0]!.quantization!;
    const images = seededImages(count, shape, 8);
    const ref = tf.tidy(() => buildEvalGraph(a, store).run(tf.tensor4d(images, [count, ...shape] as [number, number, number, number])).dataSync() as Float32Array);
    const per = shape.reduce((p, d) => p * d, 1);
    const outPer = ref.length / count;
    const inputs = Array.from({ length: count }, (_, k) => Int8Array.from(images.subarray(k * per, (k + 1) * per), (v) => fakeQuantIndex(v, inRange) - 128));
    await onBothRuntimes(lrt, r.bytes, inputs, (k, ours, lite) => {
      expect(Array.from(ours), `interpreter vs LiteRT, input ${k}`).to.deep.equal(Array.from(lite));
      const evalCodes = Array.from(ref.subarray(k * outPer, (k + 1) * outPer), (v) => Math.round(v / outQ.scale) + outQ.zeroPoint);
      expect(evalCodes.filter((c, j) => c !== ours[j]).length, `eval graph codes differing from the interpreter's, input ${k}`).to.equal(0);
    });
    return graph;
  } finally {
    store.dispose();
    await tf.setBackend('cpu');
  }
}

/** 28×28×1 → 28×28×11 logits: two poolings down, a transposed conv and an upsampling back up, skips concatenated. */
function unetModel(): tf.LayersModel {
  const apply = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => l.apply(x) as tf.SymbolicTensor;
  const x = tf.input({ shape: [28, 28, 1], name: 'image' });
  const e1 = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'e1' }), x);
  const e2 = apply(tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', name: 'e2' }), apply(tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }), e1));
  const mid = apply(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'mid' }), apply(tf.layers.maxPooling2d({ poolSize: 2, name: 'p2' }), e2));
  const up2 = apply(tf.layers.conv2dTranspose({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'up2' }), mid);
  const d2 = apply(tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', name: 'd2' }), apply(tf.layers.concatenate({ name: 'skip2' }), [up2, e2]));
  const up1 = apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: 'up1' }), d2);
  // Padded and cropped back: a crop that undoes a pad, as encoder-decoders use to line skips up.
  const aligned = apply(tf.layers.cropping2D({ cropping: [[1, 1], [2, 0]], name: 'align' }), apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [2, 0]], name: 'pad' }), up1));
  const d1 = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'd1' }), apply(tf.layers.concatenate({ name: 'skip1' }), [aligned, e1]));
  const logits = apply(tf.layers.conv2d({ filters: 11, kernelSize: 1, name: 'logits' }), d1);
  return tf.model({ inputs: x, outputs: logits, name: 'unet' });
}
