// The activation ops in the IR: shapes pass through, leakyRelu checks its
// slope, prelu owns one trained slope per channel shaped for broadcasting.
import { expect } from 'chai';
import { UserError } from '../../src/errors.js';
import { analyze, GraphBuilder, graphFromJSON, graphToJSON } from '../../src/ir/index.js';

describe('IR: activation ops', () => {
  it('keep their input shape; prelu owns a [1, 1, C] slope (or [C] on a flat input), the others nothing', () => {
    const b = new GraphBuilder('acts');
    let x = b.input('input', [6, 5, 3]);
    x = b.prelu('pr', b.swish('sw', b.hardSigmoid('hsg', b.hardSwish('hsw', b.tanh('th', b.sigmoid('sg', x))))));
    const flat = b.prelu('pr_flat', b.leakyRelu('lk', b.flatten('f', x), -0.5));
    const g = b.build([flat]);
    const a = analyze(g);
    for (const n of ['sg', 'th', 'hsw', 'hsg', 'sw', 'pr']) expect(a.shapes.get(n), n).to.deep.equal([6, 5, 3]);
    expect(a.shapes.get('pr_flat')).to.deep.equal([90]);
    expect(a.variables.map((v) => [v.name, v.shape, v.kind, v.init.type])).to.deep.equal([
      ['pr/alpha', [1, 1, 3], 'weight', 'zeros'],
      ['pr_flat/alpha', [90], 'weight', 'zeros'],
    ]);
    // The slope survives a JSON round trip.
    expect(graphFromJSON(graphToJSON(g)).nodes.find((n) => n.name === 'lk')!.attrs).to.deep.equal({ alpha: -0.5 });
  });

  it('a leakyRelu slope that is not a finite number is refused in one sentence', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('input', [4]);
    expect(() => b.leakyRelu('lk', x, Number.NaN)).to.throw(UserError, "node 'lk' (leakyRelu): alpha must be a finite number");
  });
});
