import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderedDom } from '../parity/helpers.js';
import { barChart, lineChart, formatNumber } from '../../src/report/charts.js';
import { graphSvg } from '../../src/report/graph.js';
import { page, table, escapeHtml } from '../../src/report/html.js';

describe('report', () => {
  it('escapes markup in every user-provided string', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    const html = page('t<1>', 's', table(['a<b'], [['<script>']]));
    expect(html).to.not.contain('<script>');
    expect(html).to.contain('&lt;script&gt;');
  });

  it('draws one bar per layer, scaled to the largest value', () => {
    const svg = barChart('lsb', [{ label: 'conv1', value: 2 }, { label: 'fc', value: 1, note: '90% exact' }], 'max LSB');
    expect(svg.match(/<rect class="bar"/g)).to.have.length(2);
    const widths = [...svg.matchAll(/class="bar" x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]).to.be.closeTo(2 * widths[1], 0.2);
    expect(svg).to.contain('id="lsb"');
  });

  it('draws one path per series with a point per epoch', () => {
    const svg = lineChart('loss', 'loss', [
      { name: 'train', points: [[1, 0.9], [2, 0.5], [3, 0.3]], color: '#f00' },
      { name: 'test', points: [[1, 1], [2, 0.6], [3, 0.4]], color: '#00f' },
    ], 'epoch');
    expect(svg.match(/class="series"/g)).to.have.length(2);
    expect(svg.match(/<circle/g)).to.have.length(6);
  });

  it('colours each legend entry like its series in a browser (the page style must not override it)', function () {
    this.timeout(120_000);
    const svg = lineChart('loss', 'loss', [{ name: 'train', points: [[1, 0.9], [2, 0.5]], color: '#ff0000' }], 'epoch');
    const dir = mkdtempSync(join(tmpdir(), 'qat-legend-'));
    try {
      const file = join(dir, 'legend.html');
      const probe = `<script>document.body.dataset.fill = getComputedStyle(document.querySelector('svg text.legend')).fill;</script>`;
      writeFileSync(file, page('t', 's', svg + probe));
      const dom = renderedDom(file);
      if (dom === null) this.skip();
      expect(dom).to.match(/data-fill="rgb\(255, 0, 0\)"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lays a residual graph out in layers with every edge drawn', () => {
    const svg = graphSvg(
      [
        { id: 'in', title: 'input', lines: ['int8 [1,8,8,3]'], kind: 'input' },
        { id: 'a', title: 'CONV_2D', lines: [], kind: 'op' },
        { id: 'b', title: 'CONV_2D', lines: [], kind: 'op' },
        { id: 'c', title: 'ADD', lines: [], kind: 'op' },
      ],
      [{ from: 'in', to: 'a', label: 'x' }, { from: 'a', to: 'b', label: 'y' }, { from: 'a', to: 'c', label: 'y' }, { from: 'b', to: 'c', label: 'z' }],
    );
    expect(svg.match(/class="node"/g)).to.have.length(4);
    expect(svg.match(/marker-end/g)).to.have.length(4);
    const ys = [...svg.matchAll(/<g class="node"><rect x="\d+" y="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ys[3]).to.be.greaterThan(ys[2]); // ADD sits below both convs
    expect(ys[2]).to.be.greaterThan(ys[1]);
    // The skip edge a → c runs in a lane right of every box, so no box hides it.
    const boxes = [...svg.matchAll(/<g class="node"><rect x="(\d+)" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]) + Number(m[2]));
    const skip = [...svg.matchAll(/class="skip" d="M[\d.]+,[\d.]+ L([\d.]+),/g)].map((m) => Number(m[1]));
    expect(skip).to.have.length(1);
    expect(skip[0]).to.be.greaterThan(Math.max(...boxes));
    const width = Number(/<svg id="graph"[^>]* width="(\d+)"/.exec(svg)![1]);
    expect(width).to.be.greaterThan(skip[0]!);
  });

  it('formats numbers compactly', () => {
    expect(formatNumber(0.5)).to.equal('0.5');
    expect(formatNumber(1234.5)).to.equal('1235');
    expect(formatNumber(0.0001234)).to.equal('1.23e-4');
  });
});
