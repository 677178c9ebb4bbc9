// `qat run` and `qat inspect` as a user runs them: a child process on the
// compiled CLI next to this test (dist/ or a private build dir alike).

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeNpy } from '../../src/io/npy.js';
import { encodeNpy } from '../../src/io/npy.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { encodePng } from '../support/png-encode.js';
import { mnistCnn, mulberry32, randomInput } from '../support/random-models.js';
import { qat } from '../support/cli.js';



describe('qat run / qat inspect (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  let model: string;
  let bytes: Uint8Array;
  const x = randomInput('int8', 784, mulberry32(5)) as Int8Array;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qat-interp-'));
    model = path.join(dir, 'mnist.tflite');
    bytes = mnistCnn().quantized('int8');
    fs.writeFileSync(model, bytes);
    fs.writeFileSync(path.join(dir, 'x.bin'), x);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('inspect: the first line explains the input dtype, bytes, scale, zero point and mean/std', () => {
    const r = qat('inspect', model);
    expect(r.status, r.stderr).to.equal(0);
    const first = r.stdout.split('\n')[0]!;
    expect(first).to.match(/^input 0 "input0": int8 \[1,28,28,1\] = 784 bytes, scale 0\.00403922, zero point -128, mean -128, std 247\.57\d+/);
    expect(r.stdout).to.match(/0 CONV_2D v3 \(stride 1×1 VALID, RELU\): input0#0, conv1\/weights#2, conv1\/bias#3 → conv1#1/);
    expect(r.stdout).to.match(/6 SOFTMAX v2: fc6#13 → softmax7#16/);
  });

  it('inspect --json and --html', () => {
    const html = path.join(dir, 'graph.html');
    const r = qat('inspect', model, '--json', '--html', html);
    expect(r.status, r.stderr).to.equal(0);
    const j = JSON.parse(r.stdout) as { inputs: Array<{ bytes: number; mean: number }>; operators: unknown[]; tensors: unknown[] };
    expect(j.inputs[0]!.bytes).to.equal(784);
    expect(j.inputs[0]!.mean).to.equal(-128);
    expect(j.operators).to.have.length(7);
    expect(j.tensors).to.have.length(17);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).to.contain('<svg id="graph"');
    expect(page).to.contain('FULLY_CONNECTED');
    expect(page).to.not.match(/<script[^>]+src=/);
  });

  it('run: a .bin input gives the same output as the library, --out writes it, --dump writes every tensor', () => {
    const out = path.join(dir, 'y.bin');
    const dump = path.join(dir, 'dump');
    const r = qat('run', model, '--input', path.join(dir, 'x.bin'), '--out', out, '--dump', dump, '--json', '--top', '3');
    expect(r.status, r.stderr).to.equal(0);
    const interp = Interpreter.fromBuffer(bytes);
    interp.setInput(0, x);
    interp.invoke();
    const want = Array.from(interp.output(0) as Int8Array);
    expect(Array.from(new Int8Array(new Uint8Array(fs.readFileSync(out)).buffer))).to.deep.equal(want);
    const j = JSON.parse(r.stdout) as { top: Array<{ class: number }>; outputs: Array<{ values: number[] }> };
    expect(j.outputs[0]!.values).to.deep.equal(want);
    expect(j.top).to.have.length(3);
    expect(j.top[0]!.class).to.equal(want.indexOf(Math.max(...want)));
    const index = JSON.parse(fs.readFileSync(path.join(dump, 'index.json'), 'utf8')) as { tensors: Array<{ name: string; file: string; scale: number | null; zeroPoint: number | null }> };
    expect(index.tensors).to.have.length(17);
    const conv1 = index.tensors.find((t) => t.name === 'conv1')!;
    expect(conv1.zeroPoint).to.equal(interp.tensor('conv1').zeroPoint);
    const arr = decodeNpy(new Uint8Array(fs.readFileSync(path.join(dump, conv1.file))));
    expect(arr.shape).to.deep.equal([1, 26, 26, 32]);
    expect(Array.from(arr.data)).to.deep.equal(Array.from(interp.tensor('conv1').data as Int8Array));
  });

  it('run: a wrong-size .bin fails with the one-sentence explanation and exit code 2', () => {
    fs.writeFileSync(path.join(dir, 'f.bin'), new Uint8Array(3136));
    const r = qat('run', model, '--input', path.join(dir, 'f.bin'));
    expect(r.status).to.equal(2);
    expect(r.stderr.trim()).to.equal(
      'qat: input 0 is int8 [1,28,28,1] = 784 bytes; got 3136 bytes — this looks like float32 data; quantize it with q = round(x/scale) + zero_point (scale 0.00403922, zero_point -128).',
    );
  });

  it('run: a float32 .npy is quantized for the int8 input, and says so', () => {
    const real = Float32Array.from(x, (q) => (q + 128) * 0.00403922);
    fs.writeFileSync(path.join(dir, 'x.npy'), encodeNpy({ data: real, shape: [1, 28, 28, 1] }));
    const r = qat('run', model, '--input', path.join(dir, 'x.npy'));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/quantized 784 float values from .*x\.npy with q = round\(x\/0\.00403922\) \+ -128/);
    expect(r.stdout).to.match(/top 5 \(dequantized scores\):\n {2}class \d: /);
  });

  it('run: a PNG is resized, scaled to [0,1] and quantized; --mean/--std changes the mapping', () => {
    const px = new Uint8Array(56 * 56).map((_, i) => (i * 7) % 256);
    fs.writeFileSync(path.join(dir, 'digit.png'), encodePng(56, 56, 0, px));
    const r = qat('run', model, '--input', path.join(dir, 'digit.png'), '--top', '2');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('resized 56×56 → 28×28 (bilinear)');
    expect(r.stdout).to.contain('pixels scaled to [0,1] (p/255)');
    const s = qat('run', model, '--input', path.join(dir, 'digit.png'), '--mean', '127.5', '--std', '127.5');
    expect(s.stdout).to.contain('(p − 127.5)/127.5');
    const bad = qat('run', model, '--input', path.join(dir, 'digit.png'), '--mean', '127.5');
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--mean and --std go together/);
  });

  it('a missing or corrupt model is one sentence, no stack trace', () => {
    const r = qat('inspect', path.join(dir, 'nope.tflite'));
    expect(r.status).to.equal(2);
    expect(r.stderr.trim()).to.match(/^qat: Cannot read the model .*nope\.tflite: no such file\.$/);
    fs.writeFileSync(path.join(dir, 'junk.tflite'), new Uint8Array(100).fill(7));
    const j = qat('run', path.join(dir, 'junk.tflite'), '--input', path.join(dir, 'x.bin'));
    expect(j.status).to.equal(2);
    expect(j.stderr.trim().split('\n')).to.have.length(1);
  });

  it('--help lists examples', () => {
    expect(qat('run', '--help').stdout).to.contain('--dump');
    expect(qat('inspect', '--help').stdout).to.contain('--html graph.html');
  });
});
