// The short text `qat export` prints: what was written, the ops in it, and
// how to feed and read integer I/O (scale/zero point and mean/std).

import type { ExportSummary, IoTensorSummary } from './types.js';

const num = (v: number): string => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(7)).toString());
/** `+ 5` / `− 5`, for formulas. */
const plus = (v: number): string => (v < 0 ? `− ${-v}` : `+ ${v}`);
const minus = (v: number): string => plus(-v);

function ioLine(kind: 'input' | 'output', t: IoTensorSummary): string[] {
  const head = `${kind} '${t.name}': ${t.type} [${t.shape.join(',')}]`;
  const q = t.quantization;
  if (!q) return [`${head} (real values)`];
  const lines = [`${head}, scale ${num(q.scale)}, zero point ${q.zeroPoint}`];
  if (kind === 'input') {
    lines.push(`  feed q = round(x / ${num(q.scale)}) ${plus(q.zeroPoint)}, i.e. mean ${num(q.mean)}, std ${num(q.std)} with x = (q − mean) / std`);
  } else {
    lines.push(`  read x = ${num(q.scale)} · (q ${minus(q.zeroPoint)})`);
  }
  return lines;
}

export function formatSummary(s: ExportSummary, path?: string): string {
  const lines = [
    `${path ? `wrote ${path}: ` : ''}${s.model}, ${s.mode} mode, ${s.bytes} bytes`,
    `ops: ${s.ops.map((o) => `${o.op}×${o.count}`).join(', ')}`,
    ...s.inputs.flatMap((t) => ioLine('input', t)),
    ...s.outputs.flatMap((t) => ioLine('output', t)),
    ...s.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
