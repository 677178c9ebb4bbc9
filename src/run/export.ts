// `qat export` of a run directory: open the run, lower its graph with its
// restored variables, release them.
import { checkExportOptions, exportGraph } from '../../export/export.js';
import type { ExportOptions, ExportResult } from '../../export/types.js';
import { withRunVariables } from './open.js';

/** Loads a run directory's checkpoint and exports it; bad options fail before the run is read. */
export function exportRun(runDir: string, options: ExportOptions = {}): ExportResult {
  checkExportOptions(options);
  return withRunVariables(runDir, (ir, store) => exportGraph(ir, store, options));
}
