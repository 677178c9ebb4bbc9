// A zoo model's recipe can differ by dataset: the differences apply on top
// of the model's own recipe, for that dataset only, and flags still win.
import { expect } from 'chai';
import { analyze } from '../../src/ir/analyze.js';
import { UserError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/types.js';
import { buildModel, recipeFor, ZOO } from '../../train/zoo/index.js';
import { train } from '../../train/loop.js';
import { scratchDirs, tinyDataset, useWasm } from './helpers.js';

/** The rate of a graph's dropout layer, 0 when it has none. */
function dropoutOf(ir: Graph): number {
  const rates = ir.nodes.flatMap((n) => (n.op === 'dropout' ? [n.attrs.rate] : []));
  expect(rates.length, 'at most one dropout layer').to.be.at.most(1);
  return rates[0] ?? 0;
}

describe('train/zoo: recipes per dataset', function () {
  before(useWasm);
  const dir = scratchDirs('zoo-recipe');
  const cnn = ZOO.get('mnist-cnn')!;
  const fashion = cnn.datasetRecipes?.['fashion-mnist'];

  it("merges a dataset's differences into the model's recipe and leaves other datasets alone", () => {
    expect(fashion, 'mnist-cnn has a Fashion-MNIST recipe').to.not.equal(undefined);
    expect(recipeFor('mnist-cnn', 'mnist')).to.deep.equal(cnn.recipe);
    const merged = recipeFor('mnist-cnn', 'fashion-mnist')!;
    expect(merged).to.deep.equal({ ...cnn.recipe, ...fashion });
    // The difference is real: some setting changes on Fashion-MNIST.
    expect(Object.entries(fashion!).some(([k, v]) => cnn.recipe![k as keyof typeof merged] !== v)).to.equal(true);
    expect(recipeFor('lenet5', 'fashion-mnist')).to.equal(undefined);
    expect(recipeFor('no-such-model', 'mnist')).to.equal(undefined);
  });

  it('trains with the recipe of the dataset it is given, and flags override it', async () => {
    const ds = { ...tinyDataset([28, 28, 1], 40, 8, 10), name: 'fashion-mnist' };
    const want = recipeFor('mnist-cnn', 'fashion-mnist')!;
    const byRecipe = await train({ model: 'mnist-cnn', dataset: ds, outDir: dir(), epochs: 1, seed: 3 });
    byRecipe.store.dispose();
    const c = byRecipe.config;
    expect([c.batchSize, c.lr, c.augmentShift ?? 0, c.schedule]).to.deep.equal([want.batchSize, want.lr, want.augmentShift ?? 0, want.schedule ?? 'cosine']);
    const byFlags = await train({ model: 'mnist-cnn', dataset: ds, outDir: dir(), epochs: 1, seed: 3, schedule: 'step', augmentShift: 2 });
    byFlags.store.dispose();
    expect([byFlags.config.schedule, byFlags.config.augmentShift]).to.deep.equal(['step', 2]);
  });

  it("builds the model with its dataset's dropout: Fashion-MNIST's own, the digits keep 0.25", async () => {
    expect(recipeFor('mnist-cnn', 'mnist')!.dropout).to.equal(0.25);
    const fashionDropout = recipeFor('mnist-cnn', 'fashion-mnist')!.dropout;
    expect(fashionDropout).to.be.a('number');
    const built = async (name: string): Promise<Graph> => {
      const r = await train({ model: 'mnist-cnn', dataset: { ...tinyDataset([28, 28, 1], 16, 4, 10), name }, outDir: dir(), epochs: 1, seed: 3 });
      r.store.dispose();
      return r.ir;
    };
    expect(dropoutOf(await built('fashion-mnist'))).to.equal(fashionDropout);
    expect(dropoutOf(await built('mnist'))).to.equal(0.25);
  });

  it('builds mnist-cnn with the dropout and init it is given, and refuses rates outside [0, 1)', () => {
    const shape = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };
    expect(dropoutOf(buildModel('mnist-cnn', shape))).to.equal(0.25);
    expect(dropoutOf(buildModel('mnist-cnn', { ...shape, dropout: 0.4 }))).to.equal(0.4);
    expect(dropoutOf(buildModel('mnist-cnn', { ...shape, dropout: 0 }))).to.equal(0);
    expect(() => buildModel('mnist-cnn', { ...shape, dropout: 1 })).to.throw(UserError, /dropout rate must be in \[0, 1\)/);
    // PyTorch's defaults: every kernel and bias, logits included, uniform within 1/√fanIn.
    const torch = analyze(buildModel('mnist-cnn', { ...shape, init: 'torch' })).variables;
    expect(torch.map((v) => [v.name, v.init])).to.deep.equal([
      ['conv1/kernel', { type: 'fanInUniform', fanIn: 9 }], ['conv1/bias', { type: 'fanInUniform', fanIn: 9 }],
      ['conv2/kernel', { type: 'fanInUniform', fanIn: 288 }], ['conv2/bias', { type: 'fanInUniform', fanIn: 288 }],
      ['fc1/kernel', { type: 'fanInUniform', fanIn: 9216 }], ['fc1/bias', { type: 'fanInUniform', fanIn: 9216 }],
      ['logits/kernel', { type: 'fanInUniform', fanIn: 128 }], ['logits/bias', { type: 'fanInUniform', fanIn: 128 }],
    ]);
    const keras = analyze(buildModel('mnist-cnn', shape)).variables;
    expect(keras.map((v) => v.init.type)).to.deep.equal(['heNormal', 'zeros', 'heNormal', 'zeros', 'heNormal', 'zeros', 'glorotUniform', 'zeros']);
  });
});
