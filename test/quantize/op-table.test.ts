// The per-op quantization table: the lists the rewrite, exporter and
// interpreter used to keep for themselves now follow from its rows.
import { expect } from 'chai';
import {
  FIXED_OUTPUT_QUANT, INT4_ROUNDING, KEEPS_INPUT_RANGE, OP_TABLE, QAT_OPS, fixedOutputRange, isQuantizedGraph, opsWhere, storesInt4For,
} from '../../quantize/op-table.js';
import { QCONV_OPS } from '../../quantize/fold.js';
import { toTfliteLayout, weightedKind } from '../../quantize/weight-layout.js';
import { PATTERNS } from '../../quantize/patterns.js';
import { fakeQuantValue, nudge, unsignedGrid } from '../../quantize/math.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { GraphBuilder } from '../../src/ir/builder.js';

describe('quantize/op-table', () => {
  it('derives the range-keeping, QAT and fused-layer op sets', () => {
    expect([...KEEPS_INPUT_RANGE].sort()).to.deep.equal([
      'avgPool', 'crop', 'dropout', 'flatten', 'globalAvgPool', 'maxPool', 'mirrorPad', 'pad', 'reshape', 'upsampleBilinear', 'upsampleNearest',
    ]);
    expect([...QAT_OPS].sort()).to.deep.equal(['fakeQuant', 'qadd', 'qconv2d', 'qconv2dTranspose', 'qdense', 'qdepthwiseConv2d']);
    expect([...QCONV_OPS].sort()).to.deep.equal(['qconv2d', 'qconv2dTranspose', 'qdense', 'qdepthwiseConv2d']);
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

  it('a transposed conv is a weighted layer: folds BN, fuses relu, lowers to TRANSPOSE_CONV with OHWI weights, never INT4', () => {
    expect(OP_TABLE.conv2dTranspose).to.deep.include({ foldsBatchNorm: true, fusesActivation: true, qatTwin: 'qconv2dTranspose', builtin: 'TRANSPOSE_CONV' });
    expect(weightedKind('qconv2dTranspose')).to.equal('transposeConv');
    expect(storesInt4For('TRANSPOSE_CONV', 4)).to.equal(false);
    expect(storesInt4For('CONV_2D', 4)).to.equal(true);
    // IR [kh, kw, cin, cout] = [1, 2, 2, 3] → OHWI [3, 1, 2, 2]: w[o][0][x][i] = kernel[0][x][i][o].
    const kernel = Float32Array.from({ length: 12 }, (_, i) => i);
    const w = toTfliteLayout('transposeConv', kernel, [1, 2, 2, 3]);
    expect(w.shape).to.deep.equal([3, 1, 2, 2]);
    expect(Array.from(w.data)).to.deep.equal([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
    const b = new GraphBuilder('up');
    const x = b.input('input', [4, 4, 2]);
    const y = b.relu('t_relu', b.batchNorm('t_bn', b.conv2dTranspose('t', x, { filters: 3, kernelSize: 3, strides: 2 })));
    const q = rewriteForQat(b.build([y])).graph;
    expect(q.nodes.map((n) => n.op)).to.deep.equal(['input', 'fakeQuant', 'qconv2dTranspose', 'fakeQuant']);
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
