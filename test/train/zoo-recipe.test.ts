// A zoo model's recipe can differ by dataset: the differences apply on top
// of the model's own recipe, for that dataset only, and flags still win.
import { expect } from 'chai';
import { recipeFor, ZOO } from '../../train/zoo/index.js';
import { train } from '../../train/loop.js';
import { scratchDirs, tinyDataset, useWasm } from './helpers.js';

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
});
