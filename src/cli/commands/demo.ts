// `qat demo`: the main job end to end on the embedded MNIST digits.
import type { Argv, CommandModule } from 'yargs';
import { selectBackend, type BackendChoice } from '../../backend.js';
import { UserError } from '../../errors.js';
import { barProgress, pct, runDemo } from '../../parity/index.js';
import { consoleProgress } from '../../../train/progress.js';
import { TRAIN_DEFAULTS } from '../../../train/loop.js';
import { backendOption } from '../options.js';

interface DemoArgs {
  out: string;
  epochs: number;
  'qat-epochs': number;
  'qat-images'?: number;
  limit?: number;
  'parity-limit'?: number;
  batch?: number;
  seed?: number;
  'min-agreement': number;
  backend: BackendChoice;
}

const posInt = (v: number | undefined, flag: string): void => {
  if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new UserError(`--${flag} must be a positive integer, got ${v}`);
};

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'the whole job on the embedded MNIST digits: float training, QAT fine-tuning, int8 export, interpreter, parity (a few minutes)',
  builder: (y: Argv) =>
    y.options({
      out: { type: 'string', default: 'runs/demo', describe: 'output directory (a previous demo there is replaced)' },
      epochs: { type: 'number', default: 2, describe: 'float training epochs' },
      'qat-epochs': { type: 'number', default: 1, describe: 'quantization-aware fine-tuning epochs' },
      'qat-images': { type: 'number', describe: 'training images per QAT epoch (default: all)' },
      limit: { type: 'number', hidden: true, describe: 'keep at most N images of each split (quick runs, tests)' },
      'parity-limit': { type: 'number', hidden: true, describe: 'compare at most N test inputs in the parity step' },
      batch: { type: 'number', hidden: true, describe: `training batch size (default ${TRAIN_DEFAULTS.batchSize})` },
      seed: { type: 'number', hidden: true, describe: `seed (default ${TRAIN_DEFAULTS.seed})` },
      'min-agreement': { type: 'number', default: 0.99, describe: 'exit non-zero when eval-graph vs interpreter argmax agreement is below this fraction' },
      backend: backendOption('tfjs backend (auto: node if installed, else wasm)'),
    })
      .example('$0 demo', 'writes runs/demo/: float and QAT runs, model.int8.tflite, parity.html, …')
      .example('$0 demo --out /tmp/demo --epochs 3', 'longer float training elsewhere') as never,
  handler: async (args) => {
    posInt(args.epochs, 'epochs');
    posInt(args['qat-epochs'], 'qat-epochs');
    posInt(args['qat-images'], 'qat-images');
    posInt(args.limit, 'limit');
    posInt(args['parity-limit'], 'parity-limit');
    posInt(args.batch, 'batch');
    if (args.seed !== undefined && !(Number.isInteger(args.seed) && args.seed >= 0)) throw new UserError(`--seed must be a non-negative integer, got ${args.seed}`);
    if (!args.out.trim()) throw new UserError('--out must name a directory');
    try {
      await selectBackend(args.backend);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const parityBar = barProgress('  parity', process.stdout);
    const r = await runDemo({
      out: args.out, epochs: args.epochs, qatEpochs: args['qat-epochs'],
      ...(args['qat-images'] !== undefined ? { qatImages: args['qat-images'] } : {}),
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
      ...(args['parity-limit'] !== undefined ? { parityLimit: args['parity-limit'] } : {}),
      ...(args.batch !== undefined ? { batchSize: args.batch } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      progress: consoleProgress(args.batch ?? TRAIN_DEFAULTS.batchSize, indented(process.stdout)),
      onParityProgress: (done, total) => {
        parityBar.update(done, total);
        if (done >= total) parityBar.done();
      },
    });
    if (r.parity.agreement < args['min-agreement']) {
      process.stderr.write(`qat: argmax agreement between the eval graph and the interpreter is ${pct(r.parity.agreement)}, below --min-agreement ${pct(args['min-agreement'])}.\n`);
      process.exitCode = 1;
    }
  },
};

/** stdout with every line (and every redrawn bar) indented under the demo's step headings. */
function indented(out: NodeJS.WriteStream): NodeJS.WriteStream {
  return {
    isTTY: out.isTTY,
    columns: Math.max(20, (out.columns || 120) - 2),
    write: (s: string) => out.write(s.replace(/(^|\n|\r)(?=[^\n\r\x1b])/g, '$1  ')),
  } as unknown as NodeJS.WriteStream;
}
