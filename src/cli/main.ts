// The `qat` command line. Each command lives in its own file under
// src/cli/commands/ and is listed once in COMMANDS below.
import yargs from 'yargs';
import type { Argv, CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError, describeError } from './errors.js';
import { COMMANDS } from './commands/index.js';

async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  let cli: Argv = yargs(argv)
    .scriptName('qat')
    .usage('$0 <command> [options]\n\nQuantization-aware training on TensorFlow.js: train, fake-quantize, export int8 TFLite, run it bit-exactly, and check parity.')
    .option('verbose', { type: 'boolean', describe: 'print stack traces on errors', default: false })
    .demandCommand(1, 'name a command; `qat --help` lists them')
    .recommendCommands()
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UserError(msg);
    })
    .help()
    .version();
  for (const cmd of COMMANDS) cli = cli.command(cmd as CommandModule);
  try {
    await cli.parseAsync();
  } catch (e) {
    process.stderr.write(`qat: ${describeError(e, verbose)}\n`);
    process.exitCode = e instanceof UserError ? e.exitCode : 1;
  }
}

await main(hideBin(process.argv));
