// Recipe arms for mnist-cnn on Fashion-MNIST, chosen on a validation split
// so the test split stays unseen: train on the first 50,000 training images,
// score on the last 10,000. Each arm trains float, then fine-tunes with QAT
// from it as `qat train --quantize --from` does, and prints one JSON line
// (float and int8 accuracy: the QAT run's integer eval graph, which the
// interpreter matches bit for bit). The arm's model is mnist-cnn as built
// with --dropout and --init (without them: the builder's dropout 0.25 and
// keras init), trained with the Fashion-MNIST recipe's batch, rate, schedule
// and shifts.
//
//   node dist/bench/recipe_val.js --arm default --out runs/recipe-val [--dropout 0] [--init torch] [--seed 1] [--epochs 3] [--qat-epochs 1] [--limit N]
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gatherSplit, loadDataset, type Dataset } from '../datasets/index.js';
import { selectBackend } from '../src/backend.js';
import { readMetrics } from '../src/run/index.js';
import { train } from '../train/loop.js';
import { buildModel, recipeFor, type ZooOptions } from '../train/zoo/index.js';
import { intFlag } from './args.js';

const VALIDATION = 10_000;

/** Fashion-MNIST's training split cut in two: all but the last VALIDATION images to train, those to score. */
function validationSplit(ds: Dataset, limit: number | undefined): Dataset {
  const n = ds.train.count;
  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
  const train = gatherSplit(ds.train, range(0, n - VALIDATION));
  const val = gatherSplit(ds.train, range(n - VALIDATION, n));
  if (limit === undefined) return { ...ds, train, test: val };
  return { ...ds, train: gatherSplit(train, range(0, Math.min(limit, train.count))), test: gatherSplit(val, range(0, Math.min(limit, val.count))) };
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      arm: { type: 'string', default: 'default' }, out: { type: 'string', default: 'runs/recipe-val' },
      dropout: { type: 'string' }, init: { type: 'string' }, seed: { type: 'string', default: '1' },
      epochs: { type: 'string', default: '3' }, 'qat-epochs': { type: 'string', default: '1' }, limit: { type: 'string' },
    },
  });
  await selectBackend('auto');
  const limit = v.limit === undefined ? undefined : intFlag(v.limit, 'limit');
  const ds = validationSplit(await loadDataset('fashion-mnist'), limit);
  const seed = intFlag(v.seed!, 'seed');
  const options: ZooOptions = {
    inputShape: [ds.train.height, ds.train.width, ds.train.channels], numClasses: ds.numClasses,
    ...(v.dropout !== undefined ? { dropout: Number(v.dropout) } : {}),
    ...(v.init !== undefined ? { init: v.init as NonNullable<ZooOptions['init']> } : {}),
  };
  const recipe = recipeFor('mnist-cnn', 'fashion-mnist') ?? {};
  const dir = join(v.out!, `${v.arm}-seed${seed}`);
  mkdirSync(v.out!, { recursive: true });
  const t0 = performance.now();
  const float = await train({
    model: buildModel('mnist-cnn', options), dataset: ds, outDir: join(dir, 'float'), epochs: intFlag(v.epochs!, 'epochs'), seed, workers: 1,
    ...(recipe.batchSize !== undefined ? { batchSize: recipe.batchSize } : {}), ...(recipe.lr !== undefined ? { lr: recipe.lr } : {}),
    ...(recipe.schedule !== undefined ? { schedule: recipe.schedule } : {}), augmentShift: recipe.augmentShift ?? 0,
  });
  float.store.dispose();
  const qat = await train({ dataset: ds, from: join(dir, 'float'), outDir: join(dir, 'qat'), epochs: intFlag(v['qat-epochs']!, 'qat-epochs'), quantize: {}, workers: 1 });
  qat.store.dispose();
  const fm = readMetrics(join(dir, 'float')), qm = readMetrics(join(dir, 'qat'));
  const line = JSON.stringify({
    arm: v.arm, seed, dropout: options.dropout ?? null, init: options.init ?? null, train: ds.train.count, validation: ds.test.count,
    floatByEpoch: fm?.epochs.map((e) => e.testAccuracy), int8: qm?.finalTestAccuracy, seconds: Math.round((performance.now() - t0) / 1000),
  });
  appendFileSync(join(v.out!, 'arms.jsonl'), `${line}\n`);
  console.log(line);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
