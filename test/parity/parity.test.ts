// `qat parity` on a tiny QAT run (synthetic data, lenet5, two steps): the
// JSON shape, every quantized layer listed, the exit code on
// --min-agreement, and the HTML report as headless Chromium renders it.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runParity } from '../../src/parity/parity.js';
import { useWasm, scratchDir } from '../train/helpers.js';
import { qat, renderedDom, CHROMIUM } from './helpers.js';

interface ParityJson {
  agreement: number;
  accuracy: { evalGraph: number; interpreter: number; litert: number | null };
  litertAgreement: number | null;
  litertIdentical: number | null;
  litert: { ran: boolean; note: string | null };
  layers: Array<{ name: string; op: string; maxLsb: number; meanLsb: number; exact: number; within1: number; elements: number }>;
  unmatched: string[];
  count: number;
}

const LENET_LAYERS = ['conv1', 'conv2', 'fc1', 'fc2', 'logits'];
const LIMIT = 40;

describe('qat parity', function () {
  const dir = scratchDir('parity');
  const run = join(dir.path, 'run');
  const model = join(dir.path, 'model.tflite');
  after(() => dir.remove());

  before(() => {
    const t = qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--limit', String(LIMIT), '--epochs', '1', '--batch', '20', '--quantize', '--out', run, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    const e = qat('export', '--run', run, '--out', model, '--backend', 'wasm');
    expect(e.status, e.stderr).to.equal(0);
  });

  it('--json: agreement in [0,1], accuracies, LiteRT, and every quantized layer worst first', () => {
    const r = qat('parity', '--run', run, '--model', model, '--json', '--backend', 'wasm', '--min-agreement', '0');
    expect(r.status, r.stderr).to.equal(0);
    const p = JSON.parse(r.stdout) as ParityJson;
    expect(p.count).to.equal(LIMIT);
    expect(p.agreement).to.be.within(0, 1);
    for (const a of [p.accuracy.evalGraph, p.accuracy.interpreter]) expect(a).to.be.within(0, 1);
    // @litertjs/core is a devDependency, so the test checkout has it: LiteRT must run and match the interpreter bit for bit.
    expect(p.litert.ran, p.litert.note ?? '').to.equal(true);
    expect(p.litertAgreement).to.equal(1);
    expect(p.litertIdentical).to.equal(1);
    expect(p.accuracy.litert).to.equal(p.accuracy.interpreter);
    expect(p.layers.map((l) => l.name).sort()).to.deep.equal(LENET_LAYERS);
    expect(p.unmatched).to.deep.equal([]);
    for (const l of p.layers) {
      expect(l.exact, l.name).to.be.within(0, 1);
      expect(l.within1, l.name).to.be.within(l.exact, 1);
      expect(l.meanLsb, l.name).to.be.within(0, l.maxLsb);
      expect(l.elements % LIMIT, l.name).to.equal(0);
    }
    const max = p.layers.map((l) => l.maxLsb);
    expect(max).to.deep.equal([...max].sort((a, b) => b - a));
    // The eval graph is built to compute what the int8 kernels compute.
    expect(Math.max(...max)).to.be.at.most(1);
  });

  it('agrees with the library call and carries on without LiteRT (--no-litert)', async () => {
    await useWasm();
    const p = await runParity({ run, model, limit: 10, litert: false });
    expect(p.count).to.equal(10);
    expect(p.litert).to.deep.equal({ ran: false, note: 'LiteRT.js not requested' });
    expect(p.litertAgreement).to.equal(null);
    expect(p.accuracy.litert).to.equal(null);
    const r = qat('parity', '--run', run, '--model', model, '--limit', '10', '--no-litert', '--backend', 'wasm', '--min-agreement', '0');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/LiteRT: LiteRT.js not requested; skipped/);
    expect(r.stdout).to.match(/argmax agreement: eval graph vs interpreter \d+\.\d\d%/);
    for (const name of LENET_LAYERS) expect(r.stdout).to.match(new RegExp(`^ +${name} +q\\w+ +\\d`, 'm'));
  });

  it('exits non-zero with one sentence when agreement is below --min-agreement', () => {
    const r = qat('parity', '--run', run, '--model', model, '--limit', '10', '--json', '--min-agreement', '1.01', '--backend', 'wasm');
    expect(r.status).to.equal(1);
    expect(JSON.parse(r.stdout).agreement).to.be.within(0, 1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^qat: argmax agreement .* below --min-agreement 101\.00%\.$/);
  });

  it('answers a missing model or a model of another shape with one sentence', () => {
    const missing = qat('parity', '--run', run, '--model', join(dir.path, 'nope.tflite'), '--backend', 'wasm');
    expect(missing.status).to.equal(2);
    expect(missing.stderr.trim()).to.match(/^qat: Cannot read the model .*nope\.tflite: no such file\.$/);
    const other = join(dir.path, 'other');
    const t = qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--limit', '20', '--epochs', '1', '--batch', '20', '--quantize', '--input-size', '32', '--out', other, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    const wrong = qat('parity', '--run', other, '--model', model, '--backend', 'wasm');
    expect(wrong.status).to.equal(2);
    expect(wrong.stderr.trim()).to.match(/^qat: .*takes input \[1,28,28,1\] but the run in .* takes \[1,32,32,1\]; export the model from this run\.$/);
  });

  it('--report writes a page whose chart headless Chromium renders with one bar per layer', function () {
    const html = join(dir.path, 'parity.html');
    const r = qat('parity', '--run', run, '--model', model, '--limit', '10', '--report', html, '--backend', 'wasm', '--min-agreement', '0');
    expect(r.status, r.stderr).to.equal(0);
    expect(existsSync(html)).to.equal(true);
    const text = readFileSync(html, 'utf8');
    expect(text).to.not.match(/<script|(src|href)="https?:/); // self-contained: nothing fetched
    const dom = renderedDom(html);
    if (dom === null) {
      console.log(`      skipped the browser check: ${CHROMIUM} is not installed (apt-get install chromium)`);
      this.skip();
    }
    const chart = dom.match(/<svg[^>]*id="layer-error-chart"[\s\S]*?<\/svg>/);
    expect(chart, 'chart element in the rendered DOM').to.not.equal(null);
    expect(chart![0].match(/<rect class="bar"/g)).to.have.length(LENET_LAYERS.length);
    for (const name of LENET_LAYERS) expect(chart![0]).to.contain(`>${name}</text>`);
    expect(dom).to.match(/<td>int8 interpreter<\/td><td class="num">\d+\.\d\d%<\/td>/);
  });
});
