// Parity checks (eval graph vs int8 interpreter vs LiteRT), their reports,
// and the training report of a run.
export { runParity, type ParityOptions, type ParityResult, type LiteRtStatus } from './parity.js';
export { LayerStats, worstFirst, argmax, type LayerParity } from './stats.js';
export { formatParity, parityHtml, pct, LAYER_CHART_ID, INEXACT_CHART_ID } from './format.js';
export { trainingReportHtml, LOSS_CHART_ID, ACCURACY_CHART_ID } from './training-report.js';
export { readRunRecord, type RunRecord } from '../run/record.js';
export { runDemo, type DemoOptions, type DemoResult, type DemoFile } from './demo.js';
export { barProgress, type Progress } from './progress.js';
