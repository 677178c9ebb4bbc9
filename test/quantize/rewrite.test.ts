// The rewrite pass: exact fake-quant node lists, fused layers keeping the
// float variable names, concat range sharing, skips, per-layer bits, input
// mean/std, and the "no pattern matches" report.
import { expect } from 'chai';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze } from '../../src/ir/analyze.js';
import { UserError } from '../../src/errors.js';
import type { Graph, IRNode, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat, SOFTMAX_RANGE } from '../../quantize/rewrite.js';
import { inputQuantizer } from '../../quantize/qparams.js';
import { buildModel, ZOO_NAMES } from '../../train/zoo/index.js';
import { convBnAct, dwBnAct } from '../../train/zoo/common.js';

type Fq = NodeOf<'fakeQuant'>;

const fqRows = (g: Graph): Array<[string, string, string, string, string]> =>
  g.nodes.filter((n): n is Fq => n.op === 'fakeQuant').map((n) => [n.name, n.attrs.quantizes, n.attrs.role, n.params.min ?? '-', n.params.max ?? '-']);

const node = (g: Graph, name: string): IRNode => {
  const n = g.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
};

const zooOptions = (name: string) => ({ inputShape: [28, 28, 1] as [number, number, number], numClasses: 10, ...(['mobilenet-v1', 'mobilenet-v2', 'resnet-tiny'].includes(name) ? { alpha: 0.25 } : {}) });

describe('quantize/rewrite', () => {
  it('mnist-cnn: exact fakeQuant nodes, fused layers, pass-throughs untouched', () => {
    const { graph, report } = rewriteForQat(buildModel('mnist-cnn', zooOptions('mnist-cnn')));
    expect(report).to.deep.equal([]);
    expect(fqRows(graph)).to.deep.equal([
      ['input/fq', 'input', 'input', 'input/fq/min', 'input/fq/max'],
      ['conv1/fq', 'conv1', 'activation', 'conv1/fq/min', 'conv1/fq/max'],
      ['conv2/fq', 'conv2', 'activation', 'conv2/fq/min', 'conv2/fq/max'],
      ['fc1/fq', 'fc1', 'activation', 'fc1/fq/min', 'fc1/fq/max'],
      ['logits/fq', 'logits', 'activation', 'logits/fq/min', 'logits/fq/max'],
    ]);
    expect(graph.nodes.map((n) => [n.name, n.op, n.inputs.join(',')])).to.deep.equal([
      ['input', 'input', ''], ['input/fq', 'fakeQuant', 'input'],
      ['conv1', 'qconv2d', 'input/fq'], ['conv1/fq', 'fakeQuant', 'conv1'],
      ['conv2', 'qconv2d', 'conv1/fq'], ['conv2/fq', 'fakeQuant', 'conv2'],
      ['pool', 'maxPool', 'conv2/fq'], ['flatten', 'flatten', 'pool'],
      ['fc1', 'qdense', 'flatten'], ['fc1/fq', 'fakeQuant', 'fc1'],
      ['dropout', 'dropout', 'fc1/fq'],
      ['logits', 'qdense', 'dropout'], ['logits/fq', 'fakeQuant', 'logits'],
    ]);
    expect(graph.outputs).to.deep.equal(['logits/fq']);
    const conv1 = node(graph, 'conv1') as NodeOf<'qconv2d'>;
    expect(conv1.attrs.activation).to.equal('relu');
    expect(conv1.attrs.batchNorm).to.equal(null);
    expect(conv1.attrs.weightQuant).to.deep.equal({ bits: 8, perChannel: true });
    expect(conv1.params).to.deep.equal({ kernel: 'conv1/kernel', bias: 'conv1/bias' });
    expect((node(graph, 'logits') as NodeOf<'qdense'>).attrs.activation).to.equal('none');
    const fq = node(graph, 'conv1/fq') as Fq;
    expect(fq.attrs).to.deep.equal({ bits: 8, narrowRange: false, role: 'activation', quantizes: 'conv1' });
    // fc1 reads conv2's fakeQuant through pool and flatten.
    expect(inputQuantizer(graph, node(graph, 'fc1'))?.name).to.equal('conv2/fq');
  });

  it('mobilenet-v2 block: BN folded under the float variable names, residual add quantized', () => {
    const { graph, report } = rewriteForQat(buildModel('mobilenet-v2', zooOptions('mobilenet-v2')));
    expect(report).to.deep.equal([]);
    const block0 = graph.nodes.slice(0, 10).map((n) => [n.name, n.op, n.inputs.join(',')]);
    expect(block0).to.deep.equal([
      ['input', 'input', ''], ['input/fq', 'fakeQuant', 'input'],
      ['conv1', 'qconv2d', 'input/fq'], ['conv1/fq', 'fakeQuant', 'conv1'],
      ['block0_dw', 'qdepthwiseConv2d', 'conv1/fq'], ['block0_dw/fq', 'fakeQuant', 'block0_dw'],
      ['block0_project', 'qconv2d', 'block0_dw/fq'], ['block0_project/fq', 'fakeQuant', 'block0_project'],
      ['block0_add', 'add', 'conv1/fq,block0_project/fq'], ['block0_add/fq', 'fakeQuant', 'block0_add'],
    ]);
    const dw = node(graph, 'block0_dw') as NodeOf<'qdepthwiseConv2d'>;
    expect(dw.attrs.activation).to.equal('relu6');
    expect(dw.attrs.batchNorm).to.deep.equal({ epsilon: 1e-3, momentum: 0.9 });
    expect(dw.params).to.deep.equal({
      kernel: 'block0_dw/kernel', gamma: 'block0_dw_bn/gamma', beta: 'block0_dw_bn/beta',
      movingMean: 'block0_dw_bn/movingMean', movingVariance: 'block0_dw_bn/movingVariance',
    });
    expect((node(graph, 'block0_project') as NodeOf<'qconv2d'>).attrs.activation).to.equal('none');
    // No BN or relu node survives; every float variable is still there under its name.
    expect(graph.nodes.filter((n) => n.op === 'batchNorm' || n.op === 'relu6')).to.have.length(0);
    const floatVars = analyze(buildModel('mobilenet-v2', zooOptions('mobilenet-v2'))).variables.map((v) => v.name);
    const qatVars = analyze(graph).variables;
    expect(qatVars.filter((v) => v.kind !== 'range').map((v) => v.name).sort()).to.deep.equal([...floatVars].sort());
  });

  it('concat: its inputs\' fakeQuants (through pass-throughs) and its own share one min/max pair', () => {
    const b = new GraphBuilder('branches');
    const x = b.input('input', [8, 8, 3]);
    const left = convBnAct(b, 'left', x, { filters: 4, kernelSize: 1, act: 'relu' });
    const right = b.maxPool('right_pool', convBnAct(b, 'right', x, { filters: 4, kernelSize: 3, act: 'relu6' }), { poolSize: 1, strides: 1 });
    const cat = b.concat('cat', [left, right]);
    const y = dwBnAct(b, 'after', cat, { strides: 1, act: 'relu' });
    const g = b.build([b.dense('logits', b.flatten('flatten', y), 3)]);
    const { graph, report } = rewriteForQat(g);
    expect(report).to.deep.equal([]);
    expect(fqRows(graph)).to.deep.equal([
      ['input/fq', 'input', 'input', 'input/fq/min', 'input/fq/max'],
      ['left/fq', 'left', 'activation', 'cat/fq/min', 'cat/fq/max'],
      ['right/fq', 'right', 'activation', 'cat/fq/min', 'cat/fq/max'],
      ['cat/fq', 'cat', 'activation', 'cat/fq/min', 'cat/fq/max'],
      ['after/fq', 'after', 'activation', 'after/fq/min', 'after/fq/max'],
      ['logits/fq', 'logits', 'activation', 'logits/fq/min', 'logits/fq/max'],
    ]);
    expect(node(graph, 'cat').inputs).to.deep.equal(['left/fq', 'right_pool']);
    // The shared pair is one variable of kind range.
    const ranges = analyze(graph).variables.filter((v) => v.kind === 'range').map((v) => v.name);
    expect(ranges.filter((n) => n.startsWith('cat/'))).to.deep.equal(['cat/fq/min', 'cat/fq/max']);
  });

  it('average pools get a fakeQuant on their input\'s own range (min/max or fixed): the eval graph rounds the average as int8 does', () => {
    const { graph, report } = rewriteForQat(buildModel('mobilenet-v1', zooOptions('mobilenet-v1')));
    expect(report).to.deep.equal([]);
    expect(graph.nodes.slice(-7).map((n) => [n.name, n.op, n.inputs.join(',')])).to.deep.equal([
      ['block13_pw', 'qconv2d', 'block13_dw/fq'], ['block13_pw/fq', 'fakeQuant', 'block13_pw'],
      ['pool', 'globalAvgPool', 'block13_pw/fq'], ['pool/fq', 'fakeQuant', 'pool'],
      ['dropout', 'dropout', 'pool/fq'],
      ['logits', 'qdense', 'dropout'], ['logits/fq', 'fakeQuant', 'logits'],
    ]);
    const pool = node(graph, 'pool/fq') as Fq;
    expect(pool.attrs).to.deep.equal({ bits: 8, narrowRange: false, role: 'activation', quantizes: 'pool' });
    expect(pool.params).to.deep.equal({ min: 'block13_pw/fq/min', max: 'block13_pw/fq/max' });
    expect(inputQuantizer(graph, node(graph, 'logits'))?.name).to.equal('pool/fq');

    // An average pool straight after an input with fixed mean/std shares the fixed range; one after a float layer gets that layer's new fakeQuant.
    const b = new GraphBuilder('pools');
    let x = b.input('input', [8, 8, 2]);
    x = b.avgPool('first', x, { poolSize: 2 });
    x = b.batchNorm('lonely_bn', x);
    x = b.avgPool('second', b.maxPool('max', x, { poolSize: 1 }), { poolSize: 2 });
    const g = rewriteForQat(b.build([b.dense('logits', b.flatten('flatten', x), 3)]), { inputMean: 0, inputStd: 1 });
    expect(g.report).to.deep.equal(['layer lonely_bn (op batchNorm) is not quantized: no pattern matches']);
    expect(fqRows(g.graph)).to.deep.equal([
      ['input/fq', 'input', 'input', '-', '-'],
      ['first/fq', 'first', 'activation', '-', '-'],
      ['lonely_bn/fq', 'lonely_bn', 'activation', 'lonely_bn/fq/min', 'lonely_bn/fq/max'],
      ['second/fq', 'second', 'activation', 'lonely_bn/fq/min', 'lonely_bn/fq/max'],
      ['logits/fq', 'logits', 'activation', 'logits/fq/min', 'logits/fq/max'],
    ]);
    expect((node(g.graph, 'first/fq') as Fq).attrs.fixedRange).to.deep.equal((node(g.graph, 'input/fq') as Fq).attrs.fixedRange);
  });

  it('every zoo model rewrites with nothing left float', () => {
    for (const name of ZOO_NAMES) {
      const { graph, report } = rewriteForQat(buildModel(name, zooOptions(name)));
      expect(report, name).to.deep.equal([]);
      // Every fused layer with quantized weights reads a fakeQuant.
      for (const n of graph.nodes) {
        if (n.op === 'qconv2d' || n.op === 'qdepthwiseConv2d' || n.op === 'qdense') {
          expect(inputQuantizer(graph, n), `${name}/${n.name}`).to.not.equal(null);
        }
      }
    }
  });

  it('resnet-tiny: add + relu becomes qadd with the activation fused', () => {
    const { graph } = rewriteForQat(buildModel('resnet-tiny', zooOptions('resnet-tiny')));
    const add = node(graph, 'stage1_block1_add');
    expect(add.op).to.equal('qadd');
    expect((add as NodeOf<'qadd'>).attrs.activation).to.equal('relu');
    expect(node(graph, 'stage1_block1_add/fq').inputs).to.deep.equal(['stage1_block1_add']);
    expect(graph.nodes.some((n) => n.name === 'stage1_block1_relu')).to.equal(false);
  });

  it('reports a layer no pattern covers by name, keeps it float and quantizes its output for the quantized consumer', () => {
    const b = new GraphBuilder('odd');
    let x = b.input('input', [6, 6, 1]);
    x = b.relu('conv_relu', b.conv2d('conv', x, { filters: 2, kernelSize: 3 }));
    x = b.maxPool('pool', x, { poolSize: 2 });
    x = b.batchNorm('lonely_bn', x);
    const g = b.build([b.dense('logits', b.flatten('flatten', x), 3)]);
    const { graph, report } = rewriteForQat(g);
    expect(report).to.deep.equal(['layer lonely_bn (op batchNorm) is not quantized: no pattern matches']);
    expect(node(graph, 'lonely_bn').op).to.equal('batchNorm');
    expect(node(graph, 'lonely_bn').inputs).to.deep.equal(['pool']);
    expect(node(graph, 'lonely_bn/fq').inputs).to.deep.equal(['lonely_bn']);
    expect(node(graph, 'flatten').inputs).to.deep.equal(['lonely_bn/fq']);
  });

  it('--skip leaves a layer float (weightQuant null, no fakeQuant of its own) and says so', () => {
    const { graph, report } = rewriteForQat(buildModel('mnist-cnn', zooOptions('mnist-cnn')), { skip: ['logits'] });
    expect(report).to.deep.equal(['layer logits (op dense) is not quantized: skipped by request (--skip)']);
    expect((node(graph, 'logits') as NodeOf<'qdense'>).attrs.weightQuant).to.equal(null);
    expect(graph.nodes.some((n) => n.name === 'logits/fq')).to.equal(false);
    expect(graph.outputs).to.deep.equal(['logits']);
    // A skipped layer in the middle still hands its quantized consumer a quantized tensor.
    const mid = rewriteForQat(buildModel('mnist-cnn', zooOptions('mnist-cnn')), { skip: ['conv2'] });
    expect((node(mid.graph, 'conv2') as NodeOf<'qconv2d'>).attrs.weightQuant).to.equal(null);
    expect(node(mid.graph, 'conv2/fq').inputs).to.deep.equal(['conv2']);
    expect(() => rewriteForQat(buildModel('mnist-cnn', zooOptions('mnist-cnn')), { skip: ['nope'] })).to.throw(UserError, /'nope'/);
  });

  it('per-layer bit widths, per-tensor weights and input mean/std', () => {
    const { graph } = rewriteForQat(buildModel('mnist-cnn', zooOptions('mnist-cnn')), {
      weightBits: 4, perChannel: false, layers: { conv1: { weightBits: 8, bits: 6 } }, inputMean: -128, inputStd: 255,
    });
    expect((node(graph, 'conv1') as NodeOf<'qconv2d'>).attrs.weightQuant).to.deep.equal({ bits: 8, perChannel: false });
    expect((node(graph, 'conv2') as NodeOf<'qconv2d'>).attrs.weightQuant).to.deep.equal({ bits: 4, perChannel: false });
    expect((node(graph, 'conv1/fq') as Fq).attrs.bits).to.equal(6);
    const input = node(graph, 'input/fq') as Fq;
    // real = (q + 128)/255 for q in [-128, 127] → [0, 1].
    expect(input.attrs.fixedRange).to.deep.equal([0, 1]);
    expect(input.params).to.deep.equal({});
  });

  it('softmax gets the fixed [0, 255/256] range; a QAT graph is not rewritten twice', () => {
    const b = new GraphBuilder('soft');
    const x = b.input('input', [4]);
    const g = b.build([b.softmax('probs', b.dense('fc', x, 3))]);
    const { graph } = rewriteForQat(g);
    const fq = node(graph, 'probs/fq') as Fq;
    expect(fq.attrs).to.deep.equal({ bits: 8, narrowRange: false, role: 'softmax', quantizes: 'probs', fixedRange: SOFTMAX_RANGE });
    expect(graph.outputs).to.deep.equal(['probs/fq']);
    expect(() => rewriteForQat(graph)).to.throw(UserError, /already quantized/);
  });
});
