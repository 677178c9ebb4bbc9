// A Keras-like table: layer, op, inputs, output shape, parameter count.
import { analyze, type AnalyzedGraph } from './analyze.js';
import type { Graph } from './types.js';

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export interface LayerRow {
  name: string;
  op: string;
  inputs: string[];
  outputShape: number[];
  /** Trainable weights. */
  params: number;
  /** Non-trainable state (BN moving statistics). */
  state: number;
}

export function layerRows(g: Graph | AnalyzedGraph): LayerRow[] {
  const a = 'order' in g ? g : analyze(g);
  return a.order.map((n) => {
    const vars = a.variables.filter((v) => v.node === n.name);
    return {
      name: n.name, op: n.op, inputs: n.inputs, outputShape: [...a.shapes.get(n.name)!],
      params: vars.filter((v) => v.kind === 'weight').reduce((s, v) => s + count(v.shape), 0),
      state: vars.filter((v) => v.kind !== 'weight').reduce((s, v) => s + count(v.shape), 0),
    };
  });
}

export function summary(g: Graph | AnalyzedGraph): string {
  const a = 'order' in g ? g : analyze(g);
  const rows = layerRows(a);
  const table = [
    ['layer', 'op', 'output shape', 'params', 'inputs'],
    ...rows.map((r) => [r.name, r.op, `[?, ${r.outputShape.join(', ')}]`, (r.params + r.state).toLocaleString('en-US'), r.inputs.join(', ')]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]): string => row.map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const trainable = rows.reduce((s, r) => s + r.params, 0);
  const state = rows.reduce((s, r) => s + r.state, 0);
  const rule = '─'.repeat(widths.reduce((s, w) => s + w + 2, -2));
  return [
    `model: ${a.graph.name}`,
    rule, line(table[0]), rule, ...table.slice(1).map(line), rule,
    `trainable params: ${trainable.toLocaleString('en-US')}   non-trainable: ${state.toLocaleString('en-US')}   total: ${(trainable + state).toLocaleString('en-US')}`,
  ].join('\n');
}
