import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { UserError } from '../../src/errors.js';
import { describeInputRescaling, importLayersModel, SUPPORTED_LAYERS } from '../../src/import/index.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { saveLayersModel } from './helpers.js';

/** Max |model.predict(raw) − evalGraph(raw·scale + offset)| over random raw inputs in [0, 255]. */
async function rawVsRescaled(model: tf.LayersModel, seed: number): Promise<{ diff: number; ops: string[]; rescaling: unknown }> {
  const path = await saveLayersModel(model);
  const { graph, weights, inputRescaling } = importLayersModel(path);
  const store = VariableStore.forGraph(graph, 1, weights);
  try {
    expect(inputRescaling, 'the Rescaling layer is recorded on the imported model').to.not.equal(undefined);
    const shape = [8, ...(model.inputs[0]!.shape.slice(1) as number[])] as [number, number, number, number];
    const raw = tf.randomUniform(shape, 0, 255, 'float32', seed) as tf.Tensor4D;
    const want = model.predict(raw) as tf.Tensor;
    const rescaled = tf.tidy(() => tf.add(tf.mul(raw, inputRescaling!.scale), inputRescaling!.offset)) as tf.Tensor4D;
    const got = buildEvalGraph(graph, store).run(rescaled);
    expect(got.shape).to.deep.equal(want.shape);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!);
    tf.dispose([raw, rescaled, want, got]);
    return { diff, ops: graph.nodes.map((n) => n.op), rescaling: inputRescaling };
  } finally {
    store.dispose();
    model.dispose();
  }
}

function expectUserError(f: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try { f(); } catch (e) { caught = e; }
  expect(caught).to.be.instanceOf(UserError);
  const msg = (caught as Error).message;
  expect(msg).to.match(pattern);
  expect(msg.split(/\.\s/).length, `one sentence: ${msg}`).to.equal(1);
}

describe('import: Rescaling folded into the model input', () => {
  it('is a supported layer class', () => {
    expect(SUPPORTED_LAYERS).to.include('Rescaling');
  });

  it('Sequential Rescaling(1/255) first: predict(raw x) equals the eval graph on x/255, and no node is added', async () => {
    const m = tf.sequential({ name: 'rescaled_seq' });
    m.add(tf.layers.rescaling({ inputShape: [8, 8, 3], scale: 1 / 255, name: 'rescale' }));
    m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'c' }));
    m.add(tf.layers.flatten({ name: 'f' }));
    m.add(tf.layers.dense({ units: 5, name: 'fc' }));
    const { diff, ops, rescaling } = await rawVsRescaled(m, 11);
    expect(rescaling).to.deep.equal({ scale: 1 / 255, offset: 0 });
    expect(ops).to.deep.equal(['input', 'conv2d', 'relu', 'flatten', 'dense']);
    expect(diff).to.be.at.most(1e-5);
  });

  it('Functional Rescaling(1/127.5, offset −1) after an InputLayer: same equivalence', async () => {
    const x = tf.input({ shape: [6, 6, 2], name: 'image' });
    const r = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1, name: 'norm' }).apply(x) as tf.SymbolicTensor;
    const c = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'c' }).apply(r) as tf.SymbolicTensor;
    const g = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(c) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 4, name: 'fc' }).apply(g) as tf.SymbolicTensor;
    const { diff, rescaling } = await rawVsRescaled(tf.model({ inputs: x, outputs: d }), 13);
    expect(rescaling).to.deep.equal({ scale: 1 / 127.5, offset: -1 });
    expect(diff).to.be.at.most(1e-5);
  });

  it('a model without Rescaling has no inputRescaling', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 2 }));
    const path = await saveLayersModel(m);
    m.dispose();
    expect(importLayersModel(path).inputRescaling).to.equal(undefined);
  });

  it('the user-facing note names the scale, offset and the post-rescaling convention', () => {
    const note = describeInputRescaling({ scale: 0.5, offset: -1 });
    expect(note).to.match(/Rescaling\(scale 0\.5, offset -1\)/).and.to.match(/post-rescaling/);
  });

  it('a Rescaling in the middle of a Sequential model is refused in one sentence naming it', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 3, name: 'fc1' }));
    m.add(tf.layers.rescaling({ scale: 2, name: 'mid_scale' }));
    m.add(tf.layers.dense({ units: 2, name: 'fc2' }));
    const path = await saveLayersModel(m);
    m.dispose();
    expectUserError(() => importLayersModel(path), /'mid_scale' \(Rescaling\).*only a Rescaling directly after the model input/);
  });

  it('a second Rescaling right after the first is refused (only the first follows the input)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.rescaling({ inputShape: [4], scale: 2, name: 'r1' }));
    m.add(tf.layers.rescaling({ scale: 3, name: 'r2' }));
    m.add(tf.layers.dense({ units: 2, name: 'fc' }));
    const path = await saveLayersModel(m);
    m.dispose();
    expectUserError(() => importLayersModel(path), /'r2' \(Rescaling\)/);
  });

  it('a Functional Rescaling whose input is also read raw by another layer is refused', async () => {
    const x = tf.input({ shape: [4], name: 'x' });
    const r = tf.layers.rescaling({ scale: 0.5, name: 'half' }).apply(x) as tf.SymbolicTensor;
    const a = tf.layers.dense({ units: 2, name: 'a' }).apply(r) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 2, name: 'b' }).apply(x) as tf.SymbolicTensor;
    const s = tf.layers.add({ name: 's' }).apply([a, b]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: s });
    const path = await saveLayersModel(model);
    model.dispose();
    expectUserError(() => importLayersModel(path), /'half' \(Rescaling\).*also read by other layers/);
  });
});
