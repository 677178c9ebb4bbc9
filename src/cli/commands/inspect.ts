// `qat inspect`: what a .tflite holds — inputs explained first (how to feed
// them), then operators in order and every tensor; JSON or an HTML graph.

import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { checkOutputPath, writeUserFile } from '../../io/files.js';
import { Interpreter } from '../../interpreter/index.js';
import { inspectHtml, inspectText, summarize } from '../../interpreter/describe.js';
import { jsonOption } from '../options.js';

interface InspectArgs {
  model: string;
  json: boolean;
  html?: string;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <model>',
  describe: 'show a .tflite model: inputs (dtype, bytes, scale, zero point, mean/std), operators, tensors',
  builder: (y: Argv) =>
    y.positional('model', { type: 'string', demandOption: true, describe: 'the .tflite file' })
      .options({
        json: jsonOption('print the same information as one JSON object'),
        html: { type: 'string', describe: 'also write a self-contained HTML page drawing the graph, with tensor tables' },
      })
      .example('$0 inspect model.tflite', 'inputs first, then operators in execution order, then every tensor')
      .example('$0 inspect model.tflite --json | jq .inputs', 'machine-readable form')
      .example('$0 inspect model.tflite --html graph.html', 'open graph.html in a browser to see the graph') as never,
  handler: (args) => {
    if (args.html) checkOutputPath(args.html, '--html');
    const interp = Interpreter.fromFile(args.model);
    const summary = summarize(interp);
    if (args.html) writeUserFile(args.html, inspectHtml(summary, path.basename(args.model)));
    if (args.json) {
      console.log(JSON.stringify(summary));
      return;
    }
    console.log(inspectText(summary));
    if (args.html) console.log(`\nwrote the graph page to ${args.html}`);
  },
};
