// `qat report`: a run's metrics.json as an HTML page with loss and accuracy
// charts per epoch and the run's configuration.
import type { Argv, CommandModule } from 'yargs';
import { writeUserFile } from '../../io/files.js';
import { requireValue } from '../errors.js';
import { trainingReportHtml } from '../../report/training.js';
import { readRunRecord, reportPath } from '../../run/index.js';
import { runOption } from '../options.js';

interface ReportArgs {
  run: string;
  out?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: "write a run's training curves (loss and accuracy per epoch, SVG) and configuration as an HTML page",
  builder: (y: Argv) =>
    y.options({
      run: runOption(),
      out: { type: 'string', describe: 'HTML file to write (default <run>/report.html)' },
    })
      .example('$0 report --run runs/cnn', 'writes runs/cnn/report.html')
      .example('$0 report --run runs/cnn-qat --out qat.html', 'to a file of your choice') as never,
  handler: (args) => {
    const record = readRunRecord(requireValue(args.run, '--run'));
    const out = args.out ?? reportPath(args.run);
    writeUserFile(out, trainingReportHtml(args.run, record));
    const last = record.metrics.epochs.at(-1);
    console.log(`${record.metrics.epochs.length} epoch${record.metrics.epochs.length === 1 ? '' : 's'} of ${record.metrics.model} on ${record.metrics.dataset}`
      + (last ? `; final test accuracy ${(100 * last.testAccuracy).toFixed(2)}%` : ''));
    console.log(`report: ${out}`);
  },
};
