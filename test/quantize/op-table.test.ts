// The per-op quantization table: the lists the rewrite, exporter and
// interpreter used to keep for themselves now follow from its rows.
import { expect } from 'chai';
import {
  FIXED_OUTPUT_QUANT, INT4_ROUNDING, KEEPS_INPUT_RANGE, OP_TABLE, QAT_OPS, fixedOutputOf, fixedOutputRange, isQuantizedGraph, opsWhere, storesInt4For,
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
    expect([...QAT_OPS].sort()).to.deep.equal(['fakeQuant', 'qadd', 'qconv2d', 'qconv2dTranspose', 'qdense', 'qdepthwiseConv2d', 'qnorm']);
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

  it('activations: sigmoid and tanh on TFLite\'s fixed grids, the others observed, each with its builtin', () => {
    expect(opsWhere((r) => r.output.kind === 'fixed').sort()).to.deep.equal(['sigmoid', 'softmax', 'tanh']);
    expect(fixedOutputRange(fixedOutputOf('sigmoid')!)).to.deep.equal([0, 255 / 256]);
    expect(fixedOutputRange(fixedOutputOf('tanh')!)).to.deep.equal([-1, 127 / 128]);
    for (const op of ['hardSwish', 'hardSigmoid', 'swish', 'leakyRelu', 'prelu'] as const) {
      expect(OP_TABLE[op].output.kind, op).to.equal('observed');
      expect(OP_TABLE[op].fusesActivation, op).to.equal(undefined);
    }
    expect(['sigmoid', 'tanh', 'hardSwish', 'leakyRelu', 'prelu'].map((op) => OP_TABLE[op as 'sigmoid'].builtin))
      .to.deep.equal(['LOGISTIC', 'TANH', 'HARD_SWISH', 'LEAKY_RELU', 'PRELU']);
    // The rewrite follows the rows: a fixed-range fakeQuant after sigmoid, an observed one after the others.
    const b = new GraphBuilder('acts');
    const x = b.input('input', [4, 4, 2]);
    const y = b.prelu('pr', b.leakyRelu('lk', b.swish('sw', b.hardSigmoid('hs', b.hardSwish('hw', b.tanh('th', b.sigmoid('sg', x))))), 0.1));
    const { graph, report } = rewriteForQat(b.build([y]));
    expect(report).to.deep.equal([]);
    const fqs = graph.nodes.filter((n) => n.op === 'fakeQuant') as Array<{ name: string; attrs: { fixedRange?: [number, number] } }>;
    expect(fqs.map((n) => [n.name, n.attrs.fixedRange ?? null])).to.deep.equal([
      ['input/fq', null], ['sg/fq', [0, 255 / 256]], ['th/fq', [-1, 127 / 128]],
      ['hw/fq', null], ['hs/fq', null], ['sw/fq', null], ['lk/fq', null], ['pr/fq', null],
    ]);
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

  it('instance and layer norm become qnorm: a range per intermediate of the int8 decomposition, γ/β kept by name', () => {
    expect(opsWhere((r) => r.qatTwin === 'qnorm').sort()).to.deep.equal(['instanceNorm', 'layerNorm']);
    const b = new GraphBuilder('norms');
    const x = b.input('input', [4, 4, 3]);
    const c = b.conv2d('c', x, { filters: 2, kernelSize: 3 });
    const g = b.build([b.layerNorm('ln', b.instanceNorm('in', c), { center: false })]);
    const { graph, report } = rewriteForQat(g);
    expect(report).to.deep.equal([]);
    const inorm = graph.nodes.find((n) => n.name === 'in')!;
    const lnorm = graph.nodes.find((n) => n.name === 'ln')!;
    expect([inorm.op, lnorm.op]).to.deep.equal(['qnorm', 'qnorm']);
    expect(inorm.attrs).to.deep.include({ axes: [0, 1], paramAxes: [2], bits: 8, center: true, scale: true });
    expect(lnorm.attrs).to.deep.include({ axes: [2], paramAxes: [2], center: false });
    expect(inorm.params.gamma).to.equal('in/gamma');
    // Every step but the last has a range of its own; the last is quantized by the node's fakeQuant.
    expect(Object.keys(inorm.params).filter((r) => r.endsWith('/min'))).to.deep.equal(
      ['mean', 'centered', 'squared', 'variance', 'invStd', 'normalized', 'scaled'].map((r) => `${r}/min`));
    expect(Object.keys(lnorm.params).filter((r) => r.endsWith('/max'))).to.deep.equal(
      ['mean', 'centered', 'squared', 'variance', 'invStd', 'normalized'].map((r) => `${r}/max`));
    expect(graph.nodes.filter((n) => n.op === 'fakeQuant').map((n) => n.name)).to.include.members(['in/fq', 'ln/fq']);
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
