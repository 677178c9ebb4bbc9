// `qat export`: a run directory → a .tflite file, with a short summary of
// what was written and how to feed its integer input.
import type { Argv, CommandModule } from 'yargs';
import { selectBackend, type BackendChoice } from '../../backend.js';
import { UserError } from '../../errors.js';
import { requireValue } from '../errors.js';
import { checkOutputPath, writeUserFile } from '../../io/files.js';
import { exportRun } from '../../run/export.js';
import { formatSummary } from '../../../export/summary.js';
import { EXPORT_MODES, IO_TYPES, type DynamicConvWeights, type ExportMode, type IoType } from '../../../export/types.js';
import { backendOption, jsonOption, runOption } from '../options.js';

interface ExportArgs {
  run: string;
  out: string;
  mode: ExportMode;
  'input-type'?: IoType;
  'output-type'?: IoType;
  'dynamic-conv': DynamicConvWeights;
  json: boolean;
  backend: BackendChoice;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: 'write a run as a TFLite model: fully int8 (default), dynamic-range or float32',
  builder: (y: Argv) =>
    y.options({
      run: runOption(),
      out: { type: 'string', demandOption: true, describe: 'where to write the .tflite file' },
      mode: {
        choices: EXPORT_MODES, default: 'int8',
        describe: 'int8: integer-only model from the trained ranges (needs a --quantize or calibrated run); dynamic: float activations with int8 weights; float: float32',
      },
      'input-type': { choices: IO_TYPES, describe: 'type of the model input: int8 (default for --mode int8), uint8, or float32 (a QUANTIZE inside the model); float modes take float32' },
      'output-type': { choices: IO_TYPES, describe: 'type of the model output: int8 (default for --mode int8), uint8, or float32 (a DEQUANTIZE inside the model)' },
      'dynamic-conv': {
        choices: ['float', 'dequantize', 'hybrid'] as const, default: 'float',
        describe: 'dynamic mode: keep conv/depthwise weights float32 (runs everywhere); store them int8 behind a DEQUANTIZE (smaller, float arithmetic); or int8 into hybrid convs that quantize their input on the fly (smaller and integer math, as TensorFlow\'s converter writes)',
      },
      json: jsonOption('print the summary as one JSON object'),
      backend: backendOption('tfjs backend for folding the weights (use the one the run is evaluated on)'),
    })
      .example('$0 export --run runs/qat --out model.tflite', 'int8 model with int8 input and output')
      .example('$0 export --run runs/qat --out model.tflite --input-type uint8 --output-type float32', 'camera-style uint8 input, float scores out')
      .example('$0 export --run runs/float --out float.tflite --mode float', 'the float32 model, to compare size and accuracy')
      .epilogue('For integer inputs the summary gives the scale and zero point (q = round(x/scale) + zero_point) and the equivalent mean/std (x = (q − mean)/std).') as never,
  handler: async (args) => {
    checkOutputPath(args.out, '--out');
    requireValue(args.run, '--run');
    try {
      await selectBackend(args.backend);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const r = exportRun(args.run, {
      mode: args.mode,
      ...(args['input-type'] ? { inputType: args['input-type'] } : {}),
      ...(args['output-type'] ? { outputType: args['output-type'] } : {}),
      dynamicConvWeights: args['dynamic-conv'],
    });
    writeUserFile(args.out, r.bytes);
    console.log(args.json ? JSON.stringify({ out: args.out, ...r.summary }) : formatSummary(r.summary, args.out));
  },
};
