// `qat report`: metrics.json → a page with the loss and accuracy charts
// (one line per series, one point per epoch) and the run's configuration.
import { expect } from 'chai';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../train/helpers.js';
import { qat, renderedDom } from '../parity/helpers.js';

function svgById(html: string, id: string): string {
  const m = html.match(new RegExp(`<svg[^>]*id="${id}"[\\s\\S]*?</svg>`));
  expect(m, `#${id}`).to.not.equal(null);
  return m![0];
}

describe('qat report', function () {
  const dir = scratchDir('report');
  after(() => dir.remove());

  it('draws loss and accuracy per epoch and lists the configuration', () => {
    const run = join(dir.path, 'run');
    const t = qat('train', '--model', 'lenet5', '--dataset', 'synthetic', '--limit', '40', '--epochs', '2', '--batch', '20', '--out', run, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    const r = qat('report', '--run', run);
    expect(r.status, r.stderr).to.equal(0);
    const out = join(run, 'report.html');
    expect(r.stdout).to.contain(`report: ${out}`);
    expect(r.stdout).to.match(/^2 epochs of lenet5 on synthetic; final test accuracy \d+\.\d\d%$/m);
    const html = readFileSync(out, 'utf8');
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { epochs: Array<{ testAccuracy: number }> };
    for (const id of ['loss-chart', 'accuracy-chart']) {
      const svg = svgById(html, id);
      expect(svg.match(/class="series"/g), id).to.have.length(2); // train and test
      expect(svg.match(/<circle/g), id).to.have.length(2 * metrics.epochs.length);
    }
    expect(svgById(html, 'accuracy-chart')).to.contain(`test @ 2: ${metrics.epochs[1]!.testAccuracy}`);
    for (const cell of ['<td>model</td><td>lenet5</td>', '<td>dataset</td><td>synthetic (limit 40)</td>', '<td>batch size</td><td>20</td>', '<td>quantization</td><td>none (float run)</td>']) {
      expect(html).to.contain(cell);
    }
    const dom = renderedDom(out);
    if (dom !== null) {
      svgById(dom, 'loss-chart');
      svgById(dom, 'accuracy-chart');
    }
  });

  it('answers a directory without metrics with one sentence', () => {
    const empty = join(dir.path, 'empty');
    mkdirSync(empty);
    const r = qat('report', '--run', empty);
    expect(r.status).to.equal(2);
    expect(r.stderr.trim()).to.match(/^qat: .*empty has no metrics\.json; name a run directory written by qat train$/);
    writeFileSync(join(empty, 'metrics.json'), '{"format":');
    const bad = qat('report', '--run', empty);
    expect(bad.status).to.equal(2);
    expect(bad.stderr.trim()).to.match(/is not a qat metrics file/);
  });
});
