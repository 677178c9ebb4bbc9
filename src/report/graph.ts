// Draws a dataflow graph (ops as boxes, tensors as labelled edges) as one SVG:
// layered top-to-bottom by longest path, enough for the chain-and-skip shape
// of CNNs, with no layout library.
import { escapeHtml } from './html.js';

export interface GraphNode {
  id: string;
  title: string;
  lines: string[];
  kind: 'op' | 'input' | 'output';
}

export interface GraphEdge {
  from: string;
  to: string;
  label: string;
}

const BOX_W = 270, LINE_H = 15, GAP_Y = 46, GAP_X = 30, PAD = 20, LANE_GAP = 28, LANE_LABEL_W = 140;
const FILL: Record<GraphNode['kind'], string> = { op: '#eef3fb', input: '#e7f6ec', output: '#fdf0e6' };

export function graphSvg(nodes: GraphNode[], edges: GraphEdge[]): string {
  const depth = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  // Nodes arrive in execution order, so one forward sweep gives longest paths.
  const incoming = new Map<string, string[]>();
  for (const e of edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e.from]);
  for (const n of nodes) {
    for (const src of incoming.get(n.id) ?? []) depth.set(n.id, Math.max(depth.get(n.id) ?? 0, (depth.get(src) ?? 0) + 1));
  }
  const layers: GraphNode[][] = [];
  for (const n of nodes) (layers[depth.get(n.id) ?? 0] ??= []).push(n);
  const height = (n: GraphNode) => 24 + n.lines.length * LINE_H;
  const pos = new Map<string, { x: number; y: number; h: number }>();
  let y = PAD;
  let widest = 0;
  for (const layer of layers) {
    if (!layer) continue;
    const rowH = Math.max(...layer.map(height));
    layer.forEach((n, i) => pos.set(n.id, { x: PAD + i * (BOX_W + GAP_X), y, h: height(n) }));
    widest = Math.max(widest, layer.length);
    y += rowH + GAP_Y;
  }
  // An edge that skips layers (a residual connection) would run straight
  // through the boxes between its ends, so it leaves its box on the right and
  // runs down a lane of its own beside the widest row.
  const skips = (e: GraphEdge) => (depth.get(e.to) ?? 0) - (depth.get(e.from) ?? 0) > 1;
  const firstLane = PAD + widest * (BOX_W + GAP_X);
  const lanes = edges.filter(skips).length;
  // Room after the last lane for its label ("int8 [1,112,112,16]").
  const W = firstLane + lanes * LANE_GAP + (lanes ? LANE_LABEL_W : 0) + PAD;
  const H = y;
  let lane = 0;
  const edgeSvg = edges.map((e) => {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) return '';
    if (skips(e)) {
      const xl = firstLane + lane++ * LANE_GAP;
      const y1 = a.y + a.h / 2, y2 = b.y + b.h / 2;
      return `<path class="skip" d="M${a.x + BOX_W},${y1} L${xl},${y1} L${xl},${y2} L${b.x + BOX_W + 4},${y2}" fill="none" stroke="#8895a7" marker-end="url(#arrow)"/>` +
        `<text x="${xl + 4}" y="${(y1 + y2) / 2}" fill="#5b6673">${escapeHtml(e.label)}</text>`;
    }
    const x1 = a.x + BOX_W / 2, y1 = a.y + a.h, x2 = b.x + BOX_W / 2, y2 = b.y;
    const my = (y1 + y2) / 2;
    return `<path d="M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 4}" fill="none" stroke="#8895a7" marker-end="url(#arrow)"/>` +
      `<text x="${(x1 + x2) / 2 + 6}" y="${my + 4}" fill="#5b6673">${escapeHtml(e.label)}</text>`;
  }).join('\n');
  const nodeSvg = nodes.map((n) => {
    const p = pos.get(n.id)!;
    const lines = n.lines.map((l, i) => `<text x="${p.x + 10}" y="${p.y + 36 + i * LINE_H}" fill="#3a4552">${escapeHtml(l)}</text>`).join('');
    return `<g class="node"><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${p.h}" rx="6" fill="${FILL[n.kind]}" stroke="#9aa7b8"/>` +
      `<text x="${p.x + 10}" y="${p.y + 17}" font-weight="600">${escapeHtml(n.title)}</text>${lines}</g>`;
  }).join('\n');
  return `<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="model graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#8895a7"/></marker></defs>
${edgeSvg}
${nodeSvg}
</svg>`;
}
