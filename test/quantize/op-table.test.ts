// The per-op quantization table: the lists the rewrite, exporter and
// interpreter used to keep for themselves now follow from its rows.
import { expect } from 'chai';
import {
  FIXED_OUTPUT_QUANT, INT4_ROUNDING, KEEPS_INPUT_RANGE, OP_TABLE, QAT_OPS, fixedOutputRange, isQuantizedGraph, opsWhere,
} from '../../quantize/op-table.js';
import { QCONV_OPS } from '../../quantize/fold.js';
import { PATTERNS } from '../../quantize/patterns.js';
import { fakeQuantValue, nudge, unsignedGrid } from '../../quantize/math.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { GraphBuilder } from '../../src/ir/builder.js';

describe('quantize/op-table', () => {
  it('derives the range-keeping, QAT and fused-layer op sets', () => {
    expect([...KEEPS_INPUT_RANGE].sort()).to.deep.equal([
      'avgPool', 'crop', 'dropout', 'flatten', 'globalAvgPool', 'maxPool', 'mirrorPad', 'pad', 'reshape', 'upsampleBilinear', 'upsampleNearest',
    ]);
    expect([...QAT_OPS].sort()).to.deep.equal(['fakeQuant', 'qadd', 'qconv2d', 'qdense', 'qdepthwiseConv2d']);
    expect([...QCONV_OPS].sort()).to.deep.equal(['qconv2d', 'qdense', 'qdepthwiseConv2d']);
  });

  it('fixed output ranges land exactly on TFLite\'s scale and zero point', () => {
    expect(fixedOutputRange('SOFTMAX')).to.deep.equal([0, 255 / 256]);
    expect(fixedOutputRange('LOGISTIC')).to.deep.equal([0, 255 / 256]);
    expect(fixedOutputRange('TANH')).to.deep.equal([-1, 127 / 128]);
    for (const op of ['SOFTMAX', 'LOGISTIC', 'TANH'] as const) {
      const [lo, hi] = fixedOutputRange(op);
      const r = nudge(lo, hi, unsignedGrid(8, false));
      expect(Math.fround(r.scale), op).to.equal(Math.fround(FIXED_OUTPUT_QUANT[op].scale));
      expect(r.zeroPoint - 128, op).to.equal(FIXED_OUTPUT_QUANT[op].zeroPoint);
      expect(fakeQuantValue(hi, r), op).to.equal(hi);
    }
  });

  it('every op a pattern matches has a row, and every row\'s QAT twin is a QAT op', () => {
    for (const p of PATTERNS) for (const step of p.chain) for (const op of step.ops) expect(OP_TABLE[op], op).to.not.equal(undefined);
    for (const op of opsWhere((r) => r.qatTwin !== undefined)) expect(QAT_OPS.has(OP_TABLE[op].qatTwin!), op).to.equal(true);
  });

  it('decoder data movement keeps its input\'s grid; bilinear upsampling rounds onto it', () => {
    expect(opsWhere((r) => r.output.kind === 'roundsOnInputGrid')).to.include('upsampleBilinear');
    for (const op of ['crop', 'mirrorPad', 'upsampleNearest'] as const) expect(OP_TABLE[op].output.kind, op).to.equal('keepsInput');
    expect([OP_TABLE.crop.builtin, OP_TABLE.mirrorPad.builtin, OP_TABLE.upsampleNearest.builtin, OP_TABLE.upsampleBilinear.builtin])
      .to.deep.equal(['STRIDED_SLICE', 'MIRROR_PAD', 'RESIZE_NEAREST_NEIGHBOR', 'RESIZE_BILINEAR']);
    // The rewrite gives bilinear upsampling a fakeQuant that reads its input's range; the others none.
    const b = new GraphBuilder('decoder');
    const x = b.input('input', [6, 6, 2]);
    const c = b.conv2d('c', x, { filters: 3, kernelSize: 3 });
    const y = b.upsample('up', b.mirrorPad('pad', b.crop('crop', c, [[1, 1], [0, 1]]), [[1, 1], [1, 1]]), 2, { interpolation: 'bilinear' });
    const q = rewriteForQat(b.build([b.upsample('near', y, 2)])).graph;
    const fqs = q.nodes.filter((n) => n.op === 'fakeQuant');
    expect(fqs.map((n) => n.name)).to.deep.equal(['input/fq', 'c/fq', 'up/fq']);
    expect(fqs[2]!.params).to.deep.equal({ min: 'c/fq/min', max: 'c/fq/max' });
  });

  it('INT4 rounding: FULLY_CONNECTED stays on XNNPACK only at even depth', () => {
    expect(INT4_ROUNDING.FULLY_CONNECTED(8)).to.equal('xnnpack');
    expect(INT4_ROUNDING.FULLY_CONNECTED(9)).to.equal('single-rounding');
    expect(INT4_ROUNDING.CONV_2D(8)).to.equal('single-rounding');
    expect(INT4_ROUNDING.DEPTHWISE_CONV_2D(8)).to.equal('reference');
  });

  it('a rewritten graph is a QAT graph, its float source is not', () => {
    const b = new GraphBuilder('tiny');
    const x = b.input('input', [4, 4, 1]);
    const g = b.build([b.softmax('probs', b.dense('logits', b.flatten('flat', b.conv2d('c', x, { filters: 2, kernelSize: 3 })), 3))]);
    expect(isQuantizedGraph(g)).to.equal(false);
    expect(isQuantizedGraph(rewriteForQat(g).graph)).to.equal(true);
  });
});
