// `qat eval`: accuracy of a run's eval graph on a dataset's test split.
import type { Argv, CommandModule } from 'yargs';
import { datasetHelp, loadDataset } from '../../../datasets/index.js';
import { selectBackend, type BackendChoice } from '../../backend.js';
import { UserError } from '../../errors.js';
import { requireValue } from '../errors.js';
import { evaluate } from '../../../train/evaluate.js';
import { loadRun } from '../../run/open.js';
import { runTask } from '../../run/config.js';
import { checkTaskFits } from '../../../train/task.js';
import { IMAGE_TOLERANCE } from '../../../train/task-metrics.js';
import { buildEvalGraph, type EvalArithmetic } from '../../../train/graph/build.js';
import { backendOption, jsonOption, runOption, testDataOptions } from '../options.js';

const ARITHMETICS: readonly EvalArithmetic[] = ['integer', 'simulated'];

interface EvalArgs {
  run: string;
  dataset?: string;
  'data-dir'?: string;
  limit?: number;
  batch: number;
  json: boolean;
  backend: BackendChoice;
  arithmetic?: EvalArithmetic;
}

export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: "accuracy of a run's eval graph (BN moving statistics, no dropout) on a test split",
  builder: (y: Argv) =>
    y.options({
      run: runOption('run directory written by qat train'),
      ...testDataOptions('evaluate at most N test examples'),
      batch: { type: 'number', default: 256, describe: 'evaluation batch size' },
      json: jsonOption('print one JSON object: accuracy (in [0,1]), correct, count, loss, …'),
      backend: backendOption(),
      arithmetic: {
        choices: ARITHMETICS,
        describe: "quantized runs: 'integer' (default) computes exactly the exported int8 model's integers; 'simulated' uses float fake-quant ops as in training",
      },
    })
      .example('$0 eval --run runs/cnn', 'test accuracy on the dataset the run trained on')
      .example('$0 eval --run runs/cnn --dataset mnist --limit 500 --json', 'machine-readable accuracy on 500 test digits')
      .example('$0 eval --run runs/qat --arithmetic simulated', 'accuracy of a quantized run with training\'s float fake-quant arithmetic')
      .epilogue(`Datasets:\n${datasetHelp()}`) as never,
  handler: async (args) => {
    if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit > 0)) throw new UserError(`--limit must be a positive integer, got ${args.limit}`);
    if (!(Number.isInteger(args.batch) && args.batch > 0)) throw new UserError(`--batch must be a positive integer, got ${args.batch}`);
    let backend: string;
    try {
      backend = await selectBackend(args.backend);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const run = loadRun(requireValue(args.run, '--run'));
    try {
      const spec = args.dataset ?? run.config.dataset;
      // Without --dataset the run's own data (and --limit) are reused, so this reproduces its final test accuracy.
      const limit = args.limit ?? (args.dataset === undefined ? run.config.limit : undefined);
      const ds = await loadDataset(spec, {
        ...(limit !== undefined ? { limit } : {}), seed: run.config.seed,
        ...(args.dataset === undefined && run.config.valSplit !== undefined ? { valSplit: run.config.valSplit } : {}),
        ...(args['data-dir'] !== undefined ? { dataDir: args['data-dir'] } : {}),
        // An IDX directory's labels are checked against the classes the model predicts.
        numClasses: run.config.numClasses,
      });
      if (ds.numClasses > run.config.numClasses) {
        throw new UserError(`dataset '${spec}' has ${ds.numClasses} classes but the model in ${args.run} predicts ${run.config.numClasses}`);
      }
      const task = runTask(run.config);
      checkTaskFits(task, run.config.model, run.graph.ir.shapes.get(run.graph.ir.graph.outputs[0]!)!, ds);
      const graph = args.arithmetic === undefined ? run.graph : buildEvalGraph(run.graph.ir, run.store, { arithmetic: args.arithmetic });
      const r = await evaluate(graph, ds.test, { batchSize: args.batch, task, ...(run.config.imageLoss ? { imageLoss: run.config.imageLoss } : {}) });
      const dense = { ...(r.miou !== undefined ? { miou: r.miou } : {}), ...(r.psnr !== undefined ? { psnr: r.psnr } : {}) };
      if (args.json) {
        console.log(JSON.stringify({
          accuracy: r.accuracy, ...dense, correct: r.correct, count: r.count, loss: r.loss, task,
          dataset: spec, split: 'test', model: run.config.model, run: args.run, backend, arithmetic: graph.arithmetic,
        }));
      } else {
        console.log(`backend: ${backend}${graph.arithmetic === 'integer' ? '; integer arithmetic (the int8 model\'s)' : ''}`);
        const what = task === 'classify' ? `(${r.correct}/${r.count})` : task === 'segment' ? `of pixels, mean IoU ${(100 * r.miou!).toFixed(2)}%,` : `of values within ${IMAGE_TOLERANCE}, PSNR ${r.psnr!.toFixed(2)} dB,`;
        console.log(`accuracy: ${(100 * r.accuracy).toFixed(2)}% ${what} on the ${spec} test split (${r.count} images); loss ${r.loss.toFixed(4)}`);
      }
    } finally {
      run.dispose();
    }
  },
};
