import { expect } from 'chai';
import { UserError } from '../../src/errors.js';
import { analyze, GraphBuilder, graphFromJSON, graphToJSON, summary, layerRows, type Graph, type IRNode } from '../../src/ir/index.js';

function smallGraph(): Graph {
  const b = new GraphBuilder('small');
  let x = b.input('input', [28, 28, 1]);
  x = b.conv2d('conv1', x, { filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
  x = b.batchNorm('conv1_bn', x);
  x = b.relu6('conv1_relu', x);
  const dw = b.depthwiseConv2d('block1_dw', x, { kernelSize: 3, depthMultiplier: 2, padding: 'valid' });
  x = b.maxPool('pool', dw, { poolSize: 2 });
  x = b.flatten('flatten', x);
  return b.build([b.dense('logits', x, 10)]);
}

function expectUserError(f: () => unknown, ...fragments: Array<string | RegExp>): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a UserError').to.be.instanceOf(UserError);
  for (const frag of fragments) {
    if (typeof frag === 'string') expect((caught as Error).message).to.include(frag);
    else expect((caught as Error).message).to.match(frag);
  }
}

/** A deep copy with one node replaced. */
function withNode(g: Graph, name: string, patch: (n: IRNode) => IRNode): Graph {
  const copy = JSON.parse(JSON.stringify(g)) as Graph;
  copy.nodes = copy.nodes.map((n) => (n.name === name ? patch(n) : n));
  return copy;
}

describe('ir: shape inference', () => {
  it('infers NHWC shapes through conv (same, stride 2), depthwise (valid), pool, flatten, dense', () => {
    const a = analyze(smallGraph());
    expect(a.shapes.get('conv1')).to.deep.equal([14, 14, 8]);
    expect(a.shapes.get('block1_dw')).to.deep.equal([12, 12, 16]);
    expect(a.shapes.get('pool')).to.deep.equal([6, 6, 16]);
    expect(a.shapes.get('flatten')).to.deep.equal([576]);
    expect(a.shapes.get('logits')).to.deep.equal([10]);
  });

  it('declares parameters with their shapes, kinds and default names', () => {
    const a = analyze(smallGraph());
    const byName = new Map(a.variables.map((v) => [v.name, v]));
    expect(byName.get('conv1/kernel')!.shape).to.deep.equal([3, 3, 1, 8]);
    expect(byName.has('conv1/bias')).to.equal(false);
    expect(byName.get('conv1_bn/movingMean')!.kind).to.equal('stat');
    expect(byName.get('conv1_bn/gamma')!.kind).to.equal('weight');
    expect(byName.get('block1_dw/kernel')!.shape).to.deep.equal([3, 3, 8, 2]);
    expect(byName.get('block1_dw/bias')!.shape).to.deep.equal([16]);
    expect(byName.get('logits/kernel')!.shape).to.deep.equal([576, 10]);
  });

  it('handles concat, pad, reshape with -1, avgPool and globalAvgPool', () => {
    const b = new GraphBuilder('misc');
    const x = b.input('input', [10, 10, 3]);
    const p = b.pad('pad', x, [[1, 1], [2, 0]]);
    const a1 = b.avgPool('avg', p, { poolSize: 3, strides: 1, padding: 'same' });
    const c = b.concat('cat', [p, a1]);
    const r = b.reshape('reshape', c, [-1, 6]);
    const g = b.globalAvgPool('gap', c);
    const a = analyze(b.build([r, g]));
    expect(a.shapes.get('pad')).to.deep.equal([12, 12, 3]);
    expect(a.shapes.get('cat')).to.deep.equal([12, 12, 6]);
    expect(a.shapes.get('reshape')).to.deep.equal([144, 6]);
    expect(a.shapes.get('gap')).to.deep.equal([6]);
  });

  it('orders nodes declared out of order topologically', () => {
    const g = smallGraph();
    const shuffled: Graph = { ...g, nodes: [...g.nodes].reverse() };
    const order = analyze(shuffled).order.map((n) => n.name);
    for (const n of g.nodes) for (const i of n.inputs) expect(order.indexOf(i)).to.be.lessThan(order.indexOf(n.name));
  });
});

describe('ir: validation', () => {
  it('rejects an unknown input name, naming the node and the input', () => {
    const g = withNode(smallGraph(), 'pool', (n) => ({ ...n, inputs: ['nope'] }));
    expectUserError(() => analyze(g), "'pool'", "'nope'");
  });

  it('rejects a cycle, naming the nodes on it', () => {
    const g = withNode(smallGraph(), 'conv1', (n) => ({ ...n, inputs: ['conv1_relu'] }));
    expectUserError(() => analyze(g), 'cycle', "'conv1'", "'conv1_bn'", "'conv1_relu'");
  });

  it('rejects mismatched add shapes, naming the node', () => {
    const b = new GraphBuilder('bad-add');
    const x = b.input('input', [8, 8, 4]);
    const y = b.conv2d('conv', x, { filters: 8, kernelSize: 1 });
    expectUserError(() => b.add('block_add', [x, y]), "'block_add'", '[8, 8, 4]', '[8, 8, 8]');
  });

  it('rejects dense on an unflattened input and a window larger than its input', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('input', [4, 4, 1]);
    expectUserError(() => b.dense('fc', x, 3), "'fc'", 'flat');
    expectUserError(() => b.conv2d('big', x, { filters: 1, kernelSize: 5, padding: 'valid' }), "'big'");
  });

  it('rejects unknown ops, duplicate names, bad attributes and wrong param roles', () => {
    const g = smallGraph();
    expectUserError(() => analyze(withNode(g, 'pool', (n) => ({ ...n, op: 'frobnicate' } as unknown as IRNode))), "'pool'", 'frobnicate');
    expectUserError(() => analyze({ ...g, nodes: [...g.nodes, g.nodes[1]] }), "two nodes are named 'conv1'");
    expectUserError(() => analyze(withNode(g, 'conv1', (n) => ({ ...n, attrs: { ...n.attrs, filters: 0 } } as IRNode))), "'conv1'", 'filters');
    expectUserError(() => analyze(withNode(g, 'logits', (n) => ({ ...n, params: { kernel: 'logits/kernel' } }))), "'logits'", 'bias');
    expectUserError(() => analyze({ ...g, outputs: ['ghost'] }), "'ghost'");
  });

  it('rejects two nodes claiming one variable', () => {
    const g = withNode(smallGraph(), 'logits', (n) => ({ ...n, params: { kernel: 'logits/kernel', bias: 'conv1_bn/beta' } }));
    expectUserError(() => analyze(g), "'conv1_bn/beta'", "'conv1_bn'", "'logits'");
  });
});

describe('ir: JSON and summary', () => {
  it('round-trips through JSON unchanged', () => {
    const g = smallGraph();
    const back = graphFromJSON(graphToJSON(g));
    expect(back).to.deep.equal(g);
  });

  it('rejects foreign, truncated and future files clearly', () => {
    const text = graphToJSON(smallGraph());
    expectUserError(() => graphFromJSON('{"layers": []}', 'model.json'), 'model.json', 'not a qat IR');
    expectUserError(() => graphFromJSON(text.slice(0, text.length / 2), 'ir.json'), 'ir.json', 'not valid JSON');
    expectUserError(() => graphFromJSON(text.replace('"version": 1', '"version": 99'), 'ir.json'), 'version 99');
  });

  it('prints a table of layers, ops, output shapes and parameter counts', () => {
    const text = summary(smallGraph());
    const convLine = text.split('\n').find((l) => l.startsWith('conv1 '))!;
    expect(convLine).to.include('conv2d').and.include('[?, 14, 14, 8]').and.include('72');
    const rows = layerRows(smallGraph());
    expect(rows.find((r) => r.name === 'conv1_bn')).to.include({ params: 16, state: 16 });
    expect(rows.find((r) => r.name === 'logits')!.params).to.equal(576 * 10 + 10);
    const total = rows.reduce((s, r) => s + r.params + r.state, 0);
    expect(text).to.include(`total: ${total.toLocaleString('en-US')}`);
  });
});
