// `qat parity`: the QAT eval graph vs the int8 interpreter vs LiteRT.js on
// the same test inputs; exits non-zero when the interpreter's top class
// disagrees with the eval graph's too often.
import type { Argv, CommandModule } from 'yargs';
import { datasetHelp } from '../../../datasets/index.js';
import { selectBackend, type BackendChoice } from '../../backend.js';
import { UserError } from '../../errors.js';
import { checkOutputPath, writeUserFile } from '../../io/files.js';
import { requireValue } from '../errors.js';
import { formatParity, parityHtml, pct, runParity, type ParityResult } from '../../parity/index.js';
import { barProgress } from '../../parity/progress.js';
import { backendOption, jsonOption, runOption, testDataOptions } from '../options.js';

interface ParityArgs {
  run: string;
  model: string;
  dataset?: string;
  'data-dir'?: string;
  limit?: number;
  batch: number;
  json: boolean;
  report?: string;
  'min-agreement': number;
  litert: boolean;
  backend: BackendChoice;
}

/** Writes the HTML page; a failure to write is the user's (bad path). */
export function writeParityReport(file: string, r: ParityResult): void {
  writeUserFile(file, parityHtml(r));
}

export const parityCommand: CommandModule<object, ParityArgs> = {
  command: 'parity',
  describe: 'compare a run\'s QAT eval graph, its int8 .tflite in the interpreter, and LiteRT.js on the same test inputs',
  builder: (y: Argv) =>
    y.options({
      run: runOption('QAT (or calibrated) run directory the model was exported from'),
      model: { type: 'string', demandOption: true, describe: 'the exported .tflite file' },
      ...testDataOptions('compare at most N test inputs'),
      batch: { type: 'number', default: 32, describe: 'eval-graph batch size' },
      json: jsonOption('print one JSON object: agreement, accuracy {evalGraph, interpreter, litert}, litertAgreement, layers, count, …'),
      report: { type: 'string', describe: 'also write a self-contained HTML page (per-layer error chart, accuracy table)' },
      'min-agreement': { type: 'number', default: 0.99, describe: 'exit non-zero when eval-graph vs interpreter argmax agreement is below this fraction' },
      litert: { type: 'boolean', default: true, describe: 'run LiteRT.js too when @litertjs/core is installed (--no-litert to skip)' },
      backend: backendOption('tfjs backend for the eval graph'),
    })
      .example('$0 parity --run runs/qat --model model.tflite', 'on the run\'s own test split')
      .example('$0 parity --run runs/qat --model model.tflite --limit 500 --json', 'machine-readable, 500 inputs')
      .example('$0 parity --run runs/qat --model model.tflite --report parity.html', 'with an HTML page')
      .epilogue(`LSB: one integer step of a layer's int8 tensor. Datasets:\n${datasetHelp()}`) as never,
  handler: async (args) => {
    if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit > 0)) throw new UserError(`--limit must be a positive integer, got ${args.limit}`);
    if (!(Number.isInteger(args.batch) && args.batch > 0)) throw new UserError(`--batch must be a positive integer, got ${args.batch}`);
    requireValue(args.run, '--run');
    requireValue(args.model, '--model');
    // Checked before the comparison runs, so its results are not computed and then lost.
    if (args.report) checkOutputPath(args.report, '--report');
    const min = args['min-agreement'];
    if (!Number.isFinite(min)) throw new UserError(`--min-agreement must be a number (a fraction such as 0.99), got ${min}`);
    try {
      await selectBackend(args.backend);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const progress = args.json ? undefined : barProgress('parity', process.stderr);
    let r: ParityResult;
    try {
      r = await runParity({
        run: args.run, model: args.model, batchSize: args.batch, litert: args.litert,
        ...(args.dataset !== undefined ? { dataset: args.dataset } : {}),
        ...(args['data-dir'] !== undefined ? { dataDir: args['data-dir'] } : {}),
        ...(args.limit !== undefined ? { limit: args.limit } : {}),
        ...(progress ? { onProgress: progress.update } : {}),
      });
    } finally {
      progress?.done();
    }
    if (args.report) writeParityReport(args.report, r);
    if (args.json) {
      console.log(JSON.stringify({ ...r, ...(args.report ? { report: args.report } : {}) }));
    } else {
      console.log(formatParity(r));
      if (args.report) console.log(`report: ${args.report}`);
    }
    if (r.agreement < min) {
      process.stderr.write(`qat: argmax agreement between the eval graph and the interpreter is ${pct(r.agreement)}, below --min-agreement ${pct(min)}.\n`);
      process.exitCode = 1;
    }
  },
};
