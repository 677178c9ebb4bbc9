// The IR on disk, stored beside checkpoints. A format tag and version make a
// foreign or future file a clear error instead of a confusing one.
import { UserError } from '../errors.js';
import { analyze } from './analyze.js';
import type { Graph } from './types.js';

export const IR_FORMAT = 'qat-ir';
export const IR_VERSION = 1;

export function graphToJSON(graph: Graph): string {
  return JSON.stringify({ format: IR_FORMAT, version: IR_VERSION, name: graph.name, outputs: graph.outputs, nodes: graph.nodes }, null, 1);
}

/** Parses and validates; `source` names the file in error messages. */
export function graphFromJSON(text: string, source = 'the IR'): Graph {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError(`${source} is not valid JSON (truncated or not a qat IR file)`);
  }
  const o = raw as { format?: unknown; version?: unknown; name?: unknown; outputs?: unknown; nodes?: unknown };
  if (typeof o !== 'object' || o === null || o.format !== IR_FORMAT) throw new UserError(`${source} is not a qat IR file (no "format": "${IR_FORMAT}")`);
  if (o.version !== IR_VERSION) throw new UserError(`${source} has IR version ${String(o.version)}; this qat reads version ${IR_VERSION}`);
  const graph = { name: String(o.name ?? ''), outputs: o.outputs, nodes: o.nodes } as Graph;
  analyze(graph);
  return graph;
}
