// The one named variable store shared by the train graph, the eval graph, the
// optimizer and checkpoints. Names are ours (tfjs variable names are global
// to the engine, so two stores could not coexist under them).
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../src/errors.js';
import { analyze, type AnalyzedGraph } from '../src/ir/analyze.js';
import type { Graph, ParamKind } from '../src/ir/types.js';
import { initialValues } from './init.js';

/**
 * weight: trained; stat: model state without gradients (BN moving stats);
 * counter: the step count; slot: optimizer state (not part of the model).
 */
export type VariableKind = ParamKind | 'counter' | 'slot';

/** Kinds the eval graph needs; a checkpoint restores into a model 1:1 over these. */
export const MODEL_KINDS: readonly VariableKind[] = ['weight', 'stat', 'range'];

export const STEP_NAME = 'global_step';

export interface StoreEntry {
  name: string;
  kind: VariableKind;
  variable: tf.Variable;
}

export class VariableStore {
  private readonly entries = new Map<string, StoreEntry>();
  private stepMirror = 0;

  constructor() {
    this.add(STEP_NAME, 'counter', tf.scalar(0, 'int32'));
  }

  /**
   * A store holding freshly initialised variables for every parameter of
   * `graph`; `initial` supplies values for some (an imported model's weights).
   */
  static forGraph(graph: Graph | AnalyzedGraph, seed: number, initial?: ReadonlyMap<string, Float32Array>): VariableStore {
    const a = 'order' in graph ? graph : analyze(graph);
    const store = new VariableStore();
    for (const v of a.variables) {
      const given = initial?.get(v.name);
      const count = v.shape.reduce((p, d) => p * d, 1);
      if (given && given.length !== count) {
        throw new UserError(`initial value of '${v.name}' has ${given.length} elements but the variable has shape [${v.shape}]`);
      }
      store.add(v.name, v.kind, tf.tensor(given ?? initialValues(v.init, v.shape, seed, v.name), v.shape, 'float32'));
    }
    return store;
  }

  /** Adds a variable owning `initial` (which the store then disposes). */
  add(name: string, kind: VariableKind, initial: tf.Tensor): tf.Variable {
    if (this.entries.has(name)) throw new Error(`VariableStore: '${name}' already exists`);
    // Ranges are trainable too (learned-range QAT asks for their gradients); the optimizer picks kinds explicitly.
    const variable = tf.variable(initial, kind === 'weight' || kind === 'range');
    initial.dispose();
    this.entries.set(name, { name, kind, variable });
    return variable;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): tf.Variable {
    const e = this.entries.get(name);
    if (!e) throw new Error(`VariableStore: no variable '${name}'`);
    return e.variable;
  }

  kindOf(name: string): VariableKind | undefined {
    return this.entries.get(name)?.kind;
  }

  /** Names in insertion order, optionally only of some kinds. */
  names(kinds?: readonly VariableKind[]): string[] {
    return [...this.entries.values()].filter((e) => !kinds || kinds.includes(e.kind)).map((e) => e.name);
  }

  list(kinds?: readonly VariableKind[]): StoreEntry[] {
    return [...this.entries.values()].filter((e) => !kinds || kinds.includes(e.kind));
  }

  /** Variables the optimizer updates, by name: weights, plus ranges when they are learned. */
  trainable(kinds: readonly VariableKind[] = ['weight']): Map<string, tf.Variable> {
    return new Map(this.list(kinds).map((e) => [e.name, e.variable]));
  }

  /** Replaces a variable's value, checking the shape. */
  assign(name: string, value: tf.Tensor): void {
    const v = this.get(name);
    if (v.shape.length !== value.shape.length || v.shape.some((d, i) => d !== value.shape[i])) {
      throw new UserError(`variable '${name}' has shape [${v.shape}] in the model but [${value.shape}] in the checkpoint`);
    }
    v.assign(value.dtype === v.dtype ? value : tf.tidy(() => value.cast(v.dtype)));
  }

  get step(): number {
    return this.stepMirror;
  }

  setStep(n: number): void {
    this.stepMirror = n;
    tf.tidy(() => this.get(STEP_NAME).assign(tf.scalar(n, 'int32')));
  }

  /** Removes one variable (e.g. optimizer slots when switching optimizers). */
  remove(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    e.variable.dispose();
    this.entries.delete(name);
  }

  dispose(): void {
    for (const e of this.entries.values()) e.variable.dispose();
    this.entries.clear();
  }
}

function listNames(names: string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Throws a UserError listing missing and unexpected names unless `actual`
 * covers `expected` exactly. `what` names the two sides for the message.
 */
export function checkNamesMatch(expected: Iterable<string>, actual: Iterable<string>, what = 'the checkpoint does not match the model'): void {
  const want = new Set(expected);
  const have = new Set(actual);
  const missing = [...want].filter((n) => !have.has(n));
  const unexpected = [...have].filter((n) => !want.has(n));
  if (missing.length === 0 && unexpected.length === 0) return;
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${listNames(missing)}`);
  if (unexpected.length) parts.push(`unexpected ${listNames(unexpected)}`);
  throw new UserError(`${what}: ${parts.join('; ')}`);
}

/** Names of the model variables (weights and stats) a graph needs. */
export function modelVariableNames(graph: Graph | AnalyzedGraph): string[] {
  const a = 'order' in graph ? graph : analyze(graph);
  return a.variables.map((v) => v.name);
}
