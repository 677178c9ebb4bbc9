// The example page: pick digits (or your own images), train a small zoo
// model with fake quant, export the int8 .tflite as a download, run it in the
// bundled interpreter and compare every quantized layer with the eval graph.
// window.qatDemo holds what the page computed, for the automated test.
import * as tf from '@tensorflow/tfjs';
import {
  layerParity, quantizeModel, selectBackend, UserError,
  type BackendChoice, type LayerParityResult, type QatModel, type TensorData,
} from 'qat';
import { DIGIT_PIXELS, DIGIT_SIDE, DIGITS_PER_CLASS } from './digits.js';

interface Data {
  classNames: string[];
  train: { images: Float32Array; labels: Int32Array };
  test: { images: Float32Array; labels: Int32Array };
}

interface Demo {
  status: 'ready' | 'training' | 'trained' | 'exported' | 'checked' | 'error';
  error?: string;
  backend?: string;
  losses: number[];
  tflite?: Uint8Array;
  parity?: { agreement: number; count: number; layers: LayerParityResult['layers']; unmatched: string[]; inputs: number[][]; outputs: number[][]; accuracy: number };
}

const demo: Demo = { status: 'ready', losses: [] };
(window as unknown as { qatDemo: Demo }).qatDemo = demo;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = (s: Demo['status'], text?: string): void => {
  demo.status = s;
  $('status').textContent = text ?? s;
};

let model: QatModel | null = null;
let data: Data | null = null;
let tflite: Uint8Array | null = null;

/** Every fifth image of each class goes to the test split. */
function split(images: Float32Array[], labels: number[], classNames: string[]): Data {
  const seen = new Map<number, number>();
  const train: number[] = [], test: number[] = [];
  labels.forEach((l, i) => {
    const k = seen.get(l) ?? 0;
    seen.set(l, k + 1);
    (k % 5 === 4 ? test : train).push(i);
  });
  const take = (idx: number[]): { images: Float32Array; labels: Int32Array } => {
    const out = new Float32Array(idx.length * DIGIT_PIXELS);
    idx.forEach((i, j) => out.set(images[i]!, j * DIGIT_PIXELS));
    return { images: out, labels: Int32Array.from(idx.map((i) => labels[i]!)) };
  };
  return { classNames, train: take(train), test: take(test) };
}

async function embeddedDigits(classes: number[], perClass: number): Promise<Data> {
  const bytes = new Uint8Array(await (await fetch('digits.bin')).arrayBuffer());
  const images: Float32Array[] = [], labels: number[] = [];
  for (let i = 0; i < perClass; i++) {
    classes.forEach((digit, label) => {
      const at = (digit * DIGITS_PER_CLASS + i) * DIGIT_PIXELS;
      images.push(Float32Array.from(bytes.subarray(at, at + DIGIT_PIXELS), (v) => v / 255));
      labels.push(label);
    });
  }
  return split(images, labels, classes.map(String));
}

/** The class of a picked file: its folder when the browser gives one, else its name up to the first _, - or digit. */
function classOf(file: File): string {
  const folder = file.webkitRelativePath.split('/').slice(-2, -1)[0];
  return folder || file.name.replace(/\.[^.]*$/, '').split(/[_\-0-9]/)[0] || file.name;
}

/** Picked images, grey and 28×28 like the digits. */
async function pickedImages(files: File[]): Promise<Data> {
  const names = [...new Set(files.map(classOf))].sort();
  if (names.length < 2) throw new UserError(`the picked images name ${names.length} class; name files like cat_1.png, dog_1.png (two or more classes)`);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = DIGIT_SIDE;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const images: Float32Array[] = [], labels: number[] = [];
  for (const f of files) {
    const bitmap = await createImageBitmap(f);
    ctx.drawImage(bitmap, 0, 0, DIGIT_SIDE, DIGIT_SIDE);
    bitmap.close();
    const rgba = ctx.getImageData(0, 0, DIGIT_SIDE, DIGIT_SIDE).data;
    images.push(Float32Array.from({ length: DIGIT_PIXELS }, (_, p) => (rgba[4 * p]! + rgba[4 * p + 1]! + rgba[4 * p + 2]!) / (3 * 255)));
    labels.push(names.indexOf(classOf(f)));
  }
  return split(images, labels, names);
}

async function trainClicked(): Promise<void> {
  const backend = await selectBackend($<HTMLSelectElement>('backend').value as BackendChoice, { wasmPaths: new URL('./', location.href).href });
  demo.backend = backend;
  const files = [...($<HTMLInputElement>('files').files ?? [])];
  const classes = $<HTMLInputElement>('classes').value.split(',').map((s) => Number(s.trim()));
  if (files.length === 0 && (classes.length < 2 || classes.some((d) => !(Number.isInteger(d) && d >= 0 && d <= 9)))) {
    throw new UserError('name two or more digits 0–9, separated by commas');
  }
  const perClass = Math.min(DIGITS_PER_CLASS, Math.max(5, Number($<HTMLInputElement>('per-class').value)));
  data = files.length ? await pickedImages(files) : await embeddedDigits(classes, perClass);
  const steps = Math.max(1, Number($<HTMLInputElement>('steps').value));
  model?.dispose();
  model = await quantizeModel('lenet5', { inputShape: [DIGIT_SIDE, DIGIT_SIDE, 1], numClasses: data.classNames.length, seed: 1 });
  const optimizer = tf.train.adam(2e-3);
  const n = data.train.labels.length, batch = 16;
  const progress = $<HTMLProgressElement>('progress');
  progress.max = steps;
  demo.losses = [];
  for (let step = 0; step < steps; step++) {
    const start = (step * batch) % n;
    const idx = Array.from({ length: Math.min(batch, n) }, (_, k) => (start + k) % n);
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(idx.flatMap((i) => [...data!.train.images.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS)])), [idx.length, DIGIT_SIDE, DIGIT_SIDE, 1]);
      const y = tf.oneHot(tf.tensor1d(idx.map((i) => data!.train.labels[i]!), 'int32'), data!.classNames.length);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model!.apply(x, { training: true })), true, model!.trainableVariables)!.dataSync()[0]!;
    });
    demo.losses.push(loss);
    progress.value = step + 1;
    $('train-log').textContent = `${backend}: step ${step + 1}/${steps}, loss ${loss.toFixed(4)} (${n} training images of ${data.classNames.join(', ')})`;
    await tf.nextFrame();
  }
  optimizer.dispose();
  $<HTMLButtonElement>('export').disabled = false;
  status('trained');
}

function exportClicked(): void {
  tflite = model!.toTflite({ mode: 'int8', inputType: 'int8', outputType: 'int8' });
  demo.tflite = tflite;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([tflite as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  a.download = 'qat-model.tflite';
  a.textContent = 'download again';
  document.body.append(a);
  a.click();
  $('export-info').replaceChildren(`int8 model, ${tflite.length} bytes — `, a);
  $<HTMLButtonElement>('parity').disabled = false;
  status('exported');
}

async function parityClicked(): Promise<void> {
  const r = await layerParity({ evalGraph: model!.evalGraph(), model: tflite!, images: data!.test.images, count: data!.test.labels.length });
  const codes = (t: TensorData): number[] => Array.from(t as ArrayLike<number>);
  const argmax = (v: number[]): number => v.indexOf(Math.max(...v));
  const outputs = r.outputs.map(codes);
  const accuracy = outputs.filter((o, i) => argmax(o) === data!.test.labels[i]).length / outputs.length;
  demo.parity = { agreement: r.agreement, count: r.count, layers: r.layers, unmatched: r.unmatched, inputs: r.inputs.map(codes), outputs, accuracy };
  const worst = Math.max(0, ...r.layers.map((l) => l.maxLsb));
  $('parity-summary').textContent = `${r.count} held-out images: interpreter accuracy ${(100 * accuracy).toFixed(1)}%, `
    + `same top class as the eval graph on ${(100 * r.agreement).toFixed(1)}%, largest per-layer difference ${worst} LSB over ${r.layers.length} layers`
    + (r.unmatched.length ? ` (${r.unmatched.length} without an int8 tensor: ${r.unmatched.join(', ')})` : '');
  const rows = r.layers.map((l) => {
    const tr = document.createElement('tr');
    if (l.maxLsb > 0) tr.className = 'off';
    for (const v of [l.name, l.op, `${l.maxLsb} LSB`, `${(100 * l.exact).toFixed(2)}% exact`]) tr.append(Object.assign(document.createElement('td'), { textContent: v }));
    return tr;
  });
  const head = document.createElement('tr');
  for (const h of ['layer', 'op', 'max difference', 'elements equal']) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  $('layers').replaceChildren(head, ...rows);
  status('checked');
}

function guarded(f: () => unknown): () => void {
  return () => {
    void (async () => {
      try {
        await f();
      } catch (e) {
        demo.error = e instanceof UserError ? e.message : String(e instanceof Error ? e.stack ?? e.message : e);
        status('error', `error: ${e instanceof Error ? e.message : String(e)}`);
      }
    })();
  };
}

$('train').addEventListener('click', guarded(async () => {
  status('training');
  await trainClicked();
}));
$('export').addEventListener('click', guarded(exportClicked));
$('parity').addEventListener('click', guarded(parityClicked));
status('ready');
