// `qat run`: one inference in the bundled interpreter, inputs from raw
// bytes, .npy or an image, with the input explained, top-k for classifiers,
// raw output bytes and full tensor dumps on request.

import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../../errors.js';
import { checkOutputPath, readUserFile, writeUserFile } from '../../io/files.js';
import { decodeNpy, encodeNpy, type NpyData } from '../../io/npy.js';
import { decodePng } from '../../io/png.js';
import { readLabels } from '../../io/labels.js';
import { DEFAULT_MAX_WORK, Interpreter, dequantizeTensor, describeTensor, num, shapeText, type TensorDetails, type TensorView } from '../../interpreter/index.js';
import { FLOAT_MAC_COST } from '../../interpreter/plan/cost.js';
import { imageToReal, looksLikeRawPixels, quantizeReal } from '../../interpreter/feed.js';
import { jsonOption } from '../options.js';
import { outputPng, pngKindFor, type PngKind } from '../../io/output-png.js';

interface RunArgs {
  model: string;
  input: string;
  out?: string;
  dump?: string;
  json: boolean;
  top: number;
  mean?: number;
  std?: number;
  arithmetic: 'xnnpack' | 'reference';
  'max-work'?: number;
  'out-png'?: string;
  'png-as': PngKind | 'auto';
}

function kindOf(file: string, bytes: Uint8Array): 'bin' | 'npy' | 'png' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy' || (bytes[0] === 0x93 && bytes[1] === 0x4e)) return 'npy';
  if (ext === '.png' || (bytes[0] === 0x89 && bytes[1] === 0x50)) return 'png';
  return 'bin';
}

/** Loads input 0 from the file; returns a sentence saying how the data was read. */
function feed(interp: Interpreter, file: string, args: RunArgs): string {
  const d = interp.inputDetails()[0];
  if (!d) throw new UserError('The model has no inputs.');
  const bytes = readUserFile(file, 'the input');
  const kind = kindOf(file, bytes);
  if ((args.mean !== undefined || args.std !== undefined) && kind !== 'png') {
    throw new UserError('--mean/--std apply to image inputs; a .bin or .npy input is fed as it is.');
  }
  if (kind === 'bin') {
    interp.setInput(0, bytes);
    if (looksLikeRawPixels(bytes, d)) {
      console.error(`qat: warning: ${file} looks like raw 0–255 pixels (many 0x00 bytes, no 0x80), but input 0 is int8 with zero point −128, so its darkest value is the byte 0x80; feed pixel p as the int8 code p − 128, or pass the image as a .png.`);
    }
    return `read ${bytes.length} raw bytes from ${file}`;
  }
  if (kind === 'npy') {
    const arr = decodeNpy(bytes, file);
    const count = arr.data.length;
    const want = d.shape.reduce((a, b) => a * b, 1);
    const isFloat = arr.data instanceof Float32Array || arr.data instanceof Float64Array;
    if (isFloat && d.dtype !== 'float32' && d.scale !== null) {
      if (count !== want) throw new UserError(`${file} holds ${count} values (shape ${shapeText(arr.shape)}); input 0 needs ${want} (${shapeText(d.shape)}).`);
      interp.setInput(0, quantizeReal(arr.data, d));
      return `quantized ${count} float values from ${file} with q = round(x/${num(d.scale)}) + ${d.zeroPoint}`;
    }
    if (arr.data instanceof Float64Array && d.dtype === 'float32') {
      interp.setInput(0, Float32Array.from(arr.data));
      return `read ${count} float64 values from ${file} (converted to float32)`;
    }
    interp.setInput(0, arr.data);
    return `read ${count} ${d.dtype} values from ${file}`;
  }
  const img = decodePng(bytes, file);
  const pre: { mean?: number; std?: number } = {};
  if (args.mean !== undefined) pre.mean = args.mean;
  if (args.std !== undefined) pre.std = args.std;
  const { values, note } = imageToReal(img, d, pre);
  if (d.dtype === 'float32') {
    interp.setInput(0, values);
    return `image ${file}: ${note}`;
  }
  interp.setInput(0, quantizeReal(values, d));
  return `image ${file}: ${note}; quantized with q = round(x/${num(d.scale!)}) + ${d.zeroPoint}`;
}

function topK(v: TensorView, k: number): Array<{ class: number; score: number }> | null {
  const last = v.shape[v.shape.length - 1] ?? 0;
  if (last < 2 || v.data.length !== last || !(v.dtype === 'float32' || v.scale !== null)) return null;
  const scores = dequantizeTensor(v);
  return Array.from(scores, (score, i) => ({ class: i, score }))
    .sort((a, b) => b.score - a.score || a.class - b.class)
    .slice(0, Math.max(1, k));
}

function npyData(v: TensorView): NpyData {
  const d = v.data;
  if (d instanceof BigInt64Array) return Int32Array.from(d, (x) => Number(x));
  if (v.dtype === 'float16') return dequantizeTensor(v);
  if (d instanceof Uint16Array) return Int32Array.from(d);
  return d as NpyData;
}

function dump(interp: Interpreter, dir: string): number {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`Cannot create the dump directory ${dir}: ${(e as Error).message}.`);
  }
  const index: Array<Record<string, unknown>> = [];
  for (const i of interp.tensorIndices()) {
    const v = interp.tensor(i);
    const safe = v.name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'tensor';
    const file = `${String(i).padStart(3, '0')}_${safe}.npy`;
    fs.writeFileSync(path.join(dir, file), encodeNpy({ data: npyData(v), shape: v.shape }));
    const { data: _data, ...details } = v;
    index.push({ ...details, file });
  }
  fs.writeFileSync(path.join(dir, 'index.json'), `${JSON.stringify({ tensors: index }, null, 2)}\n`);
  return index.length;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <model>',
  describe: 'run a .tflite model once in the bundled integer interpreter',
  builder: (y: Argv) =>
    y.positional('model', { type: 'string', demandOption: true, describe: 'the .tflite file' })
      .options({
        input: { type: 'string', demandOption: true, describe: 'input 0: raw bytes (.bin, exactly the input\'s byte size), a .npy array, or a .png image' },
        out: { type: 'string', describe: 'write the raw little-endian bytes of output 0 here' },
        'out-png': { type: 'string', describe: 'write output 0 of a dense model as a PNG: a colour-coded mask of per-pixel top classes (class 0 black), or the output image' },
        'png-as': { choices: ['auto', 'mask', 'image'] as const, default: 'auto' as const, describe: '--out-png: auto reads 1 or 3 output channels as an image, other counts as class scores' },
        dump: { type: 'string', describe: 'write every tensor as DIR/<index>_<name>.npy plus DIR/index.json (dtype, shape, scale, zero point, file)' },
        json: jsonOption('print one JSON object instead of text'),
        top: { type: 'number', default: 5, describe: 'how many classes to list for a classifier output' },
        mean: { type: 'number', describe: 'image preprocessing: real = (pixel − mean)/std with pixels in 0..255 (e.g. 127.5)' },
        std: { type: 'number', describe: 'image preprocessing: see --mean (e.g. 127.5)' },
        'max-work': { type: 'number', describe: `per-invoke work budget in int8 multiply-adds (a float32 one counts ${FLOAT_MAC_COST}); a model needing more is refused before it runs (default ${DEFAULT_MAX_WORK.toExponential(2)})` },
        arithmetic: { choices: ['xnnpack', 'reference'] as const, default: 'xnnpack' as const, describe: "int8 rounding to reproduce: LiteRT/XNNPACK's (default) or TFLite's reference kernels'" },
      })
      .example('$0 run model.tflite --input digit.png', 'classify a PNG (scaled to [0,1], then quantized with the input\'s scale/zero point)')
      .example('$0 run model.tflite --input x.bin --out y.bin', 'raw int8 bytes in, raw output bytes out')
      .example('$0 run unet.tflite --input canvas.png --out-png mask.png', 'a segmentation model\'s per-pixel classes as a colour mask')
      .example('$0 run model.tflite --input x.npy --dump tensors/', 'a float .npy is quantized for an int8 input; every intermediate is dumped')
      .example('$0 run mobilenet.tflite --input cat.png --mean 127.5 --std 127.5 --top 3', 'images normalised to [-1,1]') as never,
  handler: (args) => {
    if (!(Number.isInteger(args.top) && args.top > 0)) throw new UserError(`--top must be a positive integer; got ${args.top}.`);
    if (args.out) checkOutputPath(args.out, '--out');
    if (args['out-png']) checkOutputPath(args['out-png'], '--out-png');
    const maxWork = args['max-work'];
    if (maxWork !== undefined && !(maxWork > 0)) throw new UserError(`--max-work must be a positive number of multiply-adds; got ${maxWork}.`);
    const interp = Interpreter.fromFile(args.model, { arithmetic: args.arithmetic, ...(maxWork !== undefined ? { maxWork } : {}) });
    const how = feed(interp, args.input, args);
    const t0 = performance.now();
    interp.invoke();
    const ms = performance.now() - t0;
    const input = interp.inputDetails()[0]!;
    const out0 = interp.tensor(interp.outputDetails()[0]!.index);
    const labels = readLabels(args.model);
    const top = topK(out0, args.top)?.map((t) => (labels?.[t.class] !== undefined ? { ...t, label: labels[t.class]! } : t)) ?? null;
    if (args.out) {
      const d = out0.data;
      writeUserFile(args.out, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
    let png: string | null = null;
    if (args['out-png']) {
      const kind = pngKindFor(out0.shape[out0.shape.length - 1] ?? 0, args['png-as']);
      writeUserFile(args['out-png'], outputPng(dequantizeTensor(out0), out0.shape, kind));
      png = `wrote output 0 as a ${out0.shape.slice(1, 3).join('×')} ${kind} PNG to ${args['out-png']}`;
    }
    const dumped = args.dump ? dump(interp, args.dump) : 0;
    if (args.json) {
      const outputs = interp.outputDetails().map((d: TensorDetails) => {
        const v = interp.tensor(d.index);
        return { ...d, values: Array.from(v.data as ArrayLike<number | bigint>, Number), real: Array.from(dequantizeTensor(v)) };
      });
      console.log(JSON.stringify({
        model: args.model, input: { ...input, source: how }, outputs, top, ms, dumped: args.dump ? { dir: args.dump, tensors: dumped } : null,
        ...(args['out-png'] ? { png: args['out-png'] } : {}),
      }));
      return;
    }
    console.log(`input 0 ${JSON.stringify(input.name)}: ${describeTensor(input)}`);
    console.log(`  ${how}`);
    console.log(`ran ${interp.operators().length} operators in ${ms.toFixed(1)} ms`);
    interp.outputDetails().forEach((d, i) => console.log(`output ${i} ${JSON.stringify(d.name)}: ${describeTensor(d)}`));
    if (top) {
      console.log(`top ${top.length} (dequantized scores):`);
      for (const t of top) console.log(`  class ${t.class}${'label' in t ? ` (${t.label})` : ''}: ${num(t.score)}`);
    } else {
      const real = dequantizeTensor(out0);
      const shown = Array.from(real.subarray(0, 16), (x) => num(x)).join(', ');
      console.log(`output 0 values: ${shown}${real.length > 16 ? `, … (${real.length} in all)` : ''}`);
    }
    if (args.out) console.log(`wrote output 0 (${out0.bytes} bytes) to ${args.out}`);
    if (png) console.log(png);
    if (args.dump) console.log(`dumped ${dumped} tensors to ${args.dump} (index.json lists dtype, shape, scale and zero point)`);
  },
};
