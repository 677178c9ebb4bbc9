// `qat calibrate`: post-training quantization of a float run (ranges
// observed over N batches, no training) into a run that evaluates and
// exports like a QAT run.
import type { Argv, CommandModule } from 'yargs';
import { datasetHelp, loadDataset } from '../../../datasets/index.js';
import { selectBackend, type BackendChoice } from '../../backend.js';
import { UserError } from '../../errors.js';
import { calibrate, CALIBRATE_DEFAULT_BATCHES } from '../../../train/calibrate.js';
import { loadCheckpoint } from '../../run/checkpoint.js';
import { QUANT_FLAGS, qatConfigFromArgs, type QuantArgs } from './train.js';
import { backendOption, testDataOptions } from '../options.js';

/** The quantization flags that shape a calibrated model (the rest shape training). */
const CALIBRATE_QUANT_FLAGS = Object.fromEntries(
  Object.entries(QUANT_FLAGS).filter(([k]) => !['quant-delay', 'freeze-bn', 'range-mode', 'ema-decay'].includes(k)),
);

interface CalibrateArgs extends QuantArgs {
  from: string;
  out: string;
  dataset?: string;
  'data-dir'?: string;
  limit?: number;
  batches: number;
  batch?: number;
  backend: BackendChoice;
}

export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: 'calibrate',
  describe: 'post-training quantization: observe activation ranges of a float run over N batches and write a quantized run',
  builder: (y: Argv) =>
    y.options({
      from: { type: 'string', demandOption: true, group: 'Run:', describe: 'float run directory written by qat train' },
      out: { type: 'string', demandOption: true, group: 'Run:', describe: 'run directory to write (evaluates and exports like a QAT run)' },
      ...testDataOptions('use at most N examples of each split', 'Data:'),
      batches: { type: 'number', default: CALIBRATE_DEFAULT_BATCHES, group: 'Calibration:', describe: 'training batches to observe' },
      batch: { type: 'number', group: 'Calibration:', describe: "batch size (default: the run's)" },
      backend: backendOption('tfjs backend', 'Run:'),
      ...CALIBRATE_QUANT_FLAGS,
    })
      .example('$0 calibrate --from runs/cnn --dataset mnist --batches 20 --out runs/cnn-ptq', 'int8 post-training quantization of a float run')
      .epilogue(`Datasets:\n${datasetHelp()}\n\nThe result evaluates with qat eval --run and exports with qat export like a QAT run; compare it with qat train --quantize --from.`) as never,
  handler: async (args) => {
    if (!(Number.isInteger(args.batches) && args.batches > 0)) throw new UserError(`--batches must be a positive integer, got ${args.batches}`);
    if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit > 0)) throw new UserError(`--limit must be a positive integer, got ${args.limit}`);
    const quantize = qatConfigFromArgs(args);
    if (quantize.quantDelay !== 0 || quantize.freezeBnStep !== null || quantize.rangeMode !== 'ema') {
      throw new UserError('--quant-delay, --freeze-bn and --range-mode shape training; qat calibrate does not train');
    }
    let backend: string;
    try {
      backend = await selectBackend(args.backend);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const source = loadCheckpoint(args.from).config;
    const spec = args.dataset ?? source.dataset;
    const limit = args.limit ?? (args.dataset === undefined ? source.limit : undefined);
    const dataset = await loadDataset(spec, {
      ...(limit !== undefined ? { limit } : {}), seed: source.seed, ...(args['data-dir'] !== undefined ? { dataDir: args['data-dir'] } : {}),
    });
    console.log(`backend: ${backend}`);
    const r = await calibrate({
      from: args.from, dataset, datasetSpec: spec, outDir: args.out, batches: args.batches, quantize,
      ...(args.batch !== undefined ? { batchSize: args.batch } : {}),
    });
    try {
      const cal = r.config.quantization!.calibration!;
      console.log(`calibrated ${r.config.model} from ${args.from} over ${cal.batches} batches of ${cal.batchSize}`);
      for (const line of r.report) console.log(`  ${line}`);
      if (r.test) console.log(`test accuracy (quantized eval graph): ${(100 * r.test.accuracy).toFixed(2)}% (${r.test.correct}/${r.test.count})`);
      console.log(`run: ${r.runDir}`);
    } finally {
      r.store.dispose();
    }
  },
};
