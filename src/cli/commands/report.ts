// `qat report`: a run's metrics.json as an HTML page with loss and accuracy
// charts per epoch and the run's configuration.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../../errors.js';
import { readRunRecord, trainingReportHtml } from '../../parity/index.js';

interface ReportArgs {
  run: string;
  out?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: "write a run's training curves (loss and accuracy per epoch, SVG) and configuration as an HTML page",
  builder: (y: Argv) =>
    y.options({
      run: { type: 'string', demandOption: true, describe: 'run directory written by qat train / qat calibrate' },
      out: { type: 'string', describe: 'HTML file to write (default <run>/report.html)' },
    })
      .example('$0 report --run runs/cnn', 'writes runs/cnn/report.html')
      .example('$0 report --run runs/cnn-qat --out qat.html', 'to a file of your choice') as never,
  handler: (args) => {
    const record = readRunRecord(args.run);
    const out = args.out ?? join(args.run, 'report.html');
    try {
      writeFileSync(out, trainingReportHtml(args.run, record));
    } catch (e) {
      throw new UserError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const last = record.metrics.epochs.at(-1);
    console.log(`${record.metrics.epochs.length} epoch${record.metrics.epochs.length === 1 ? '' : 's'} of ${record.metrics.model} on ${record.metrics.dataset}`
      + (last ? `; final test accuracy ${(100 * last.testAccuracy).toFixed(2)}%` : ''));
    console.log(`report: ${out}`);
  },
};
