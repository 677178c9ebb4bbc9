// Parity checks (eval graph vs int8 interpreter vs LiteRT), their reports,
// and the demo that runs the whole path.
export { runParity, type ParityOptions, type ParityResult, type LiteRtStatus } from './parity.js';
export { layerParity, type LayerParityOptions, type LayerParityResult } from './memory.js';
export { LayerStats, worstFirst, argmax, type LayerParity } from './stats.js';
export { formatParity, parityHtml, pct, LAYER_CHART_ID, INEXACT_CHART_ID } from './format.js';
export { runDemo, type DemoOptions, type DemoResult, type DemoFile } from './demo.js';
export { barProgress, type Progress } from './progress.js';
