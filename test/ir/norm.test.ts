// The norm ops in the IR: builder defaults, parameter shapes, and the one
// sentence a bad norm gets.
import { expect } from 'chai';
import { UserError } from '../../src/errors.js';
import { analyze, GraphBuilder, graphFromJSON, graphToJSON } from '../../src/ir/index.js';
import { normSteps } from '../../quantize/norm-decomposition.js';

describe('IR: instanceNorm and layerNorm', () => {
  it('builder defaults (Keras: ε 1e-3, γ and β; layer norm on the last axis) and γ/β shapes', () => {
    const b = new GraphBuilder('norms');
    const x = b.input('input', [5, 4, 3]);
    const i = b.instanceNorm('in', x);
    const l = b.layerNorm('ln', i);
    const l3 = b.layerNorm('ln3', l, { axes: [-1, 0, 1], scale: false });
    const g = b.build([l3]);
    const byName = new Map(g.nodes.map((n) => [n.name, n]));
    expect(byName.get('in')!.attrs).to.deep.equal({ epsilon: 1e-3, center: true, scale: true });
    expect(byName.get('ln')!.attrs).to.deep.equal({ epsilon: 1e-3, center: true, scale: true, axes: [2] });
    expect(byName.get('ln3')!.attrs).to.deep.include({ axes: [0, 1, 2], scale: false });
    const a = analyze(g);
    const shapes = new Map(a.variables.map((v) => [v.name, v.shape]));
    expect(shapes.get('in/gamma')).to.deep.equal([3]);
    expect(shapes.get('ln/beta')).to.deep.equal([3]);
    expect(shapes.get('ln3/beta')).to.deep.equal([5, 4, 3]);
    expect(shapes.has('ln3/gamma')).to.equal(false);
    expect(graphFromJSON(graphToJSON(g))).to.deep.equal(g);
  });

  it('bad norms are refused in one sentence naming the node', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('input', [12]);
    expect(() => b.instanceNorm('in', x)).to.throw(UserError, /node 'in' \(instanceNorm\): instanceNorm input must have an \[h, w, c\] shape/);
    expect(() => b.layerNorm('ln', x, { axes: [1] })).to.throw(UserError, /node 'ln' \(layerNorm\): layerNorm axes \[1\] do not fit an input of shape \[12\]/);
    expect(() => b.layerNorm('ln2', x, { epsilon: 0 })).to.throw(UserError, /epsilon must be a positive number/);
  });

  it('the decomposition drops the γ and β steps with scale/center off', () => {
    const roles = (center: boolean, scale: boolean): string[] => normSteps({ center, scale }).map((s) => s.role);
    expect(roles(true, true)).to.deep.equal(['mean', 'centered', 'squared', 'variance', 'invStd', 'normalized', 'scaled', 'shifted']);
    expect(roles(false, false).at(-1)).to.equal('normalized');
    expect(normSteps({ center: true, scale: false }).at(-1)!.inputs).to.deep.equal(['normalized', 'beta']);
  });
});
