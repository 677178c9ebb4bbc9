// `qat export` of a run directory: open the run, lower its graph with its
// restored variables, release them.
import { checkExportOptions, exportGraph } from '../../export/export.js';
import type { ExportOptions, ExportResult } from '../../export/types.js';
import { withRunVariables } from './open.js';

/** An exported run, with its class names when the run has them (for a labels file beside the model). */
export type RunExport = ExportResult & { classNames?: string[] };

/** Loads a run directory's checkpoint and exports it; bad options fail before the run is read. */
export function exportRun(runDir: string, options: ExportOptions = {}): RunExport {
  checkExportOptions(options);
  return withRunVariables(runDir, (ir, store, config) => ({
    ...exportGraph(ir, store, options), ...(config.classNames ? { classNames: config.classNames } : {}),
  }));
}
