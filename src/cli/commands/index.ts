// Every `qat` command, in the order `qat --help` lists them.
import type { CommandModule } from 'yargs';
import { backendCommand } from './backend.js';
import { trainCommand } from './train.js';
import { evalCommand } from './eval.js';
import { calibrateCommand } from './calibrate.js';
import { runCommand } from './run.js';
import { inspectCommand } from './inspect.js';
import { exportCommand } from './export.js';
import { parityCommand } from './parity.js';
import { demoCommand } from './demo.js';
import { reportCommand } from './report.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: ReadonlyArray<CommandModule<any, any>> = [backendCommand, trainCommand, calibrateCommand, evalCommand, runCommand, inspectCommand, exportCommand, parityCommand, reportCommand, demoCommand];
