// Entry point of a training worker thread: one replica of the train graph
// on its own tfjs backend. Per step it loads the weights the main thread
// sends, computes gradients and statistics on its shard of the batch and
// returns them; it never applies an update itself.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend.js';
import { UserError } from '../../src/errors.js';
import { analyze } from '../../src/ir/analyze.js';
import { buildTrainGraph, type TrainGraph } from '../graph/build.js';
import { VariableStore, checkNamesMatch } from '../state.js';
import { objectiveFor, type Objective } from '../task.js';
import { disposeUpdates, shardGradients } from './gradients.js';
import { slotView, valuesOf, type Layout } from './layout.js';
import type { ErrorMessage, FromWorker, InitMessage, ResultMessage, StepMessage, ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('train/parallel/worker.js runs only as a worker thread');

interface Replica {
  init: InitMessage;
  store: VariableStore;
  graph: TrainGraph;
  vars: Map<string, tf.Variable>;
  objective: Objective;
  /** The cpu backend keeps the array a tensor is made from, so shared views must be copied there. */
  copyViews: boolean;
}

let replica: Replica | null = null;


function post(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(m, transfer);
}

async function init(m: InitMessage): Promise<void> {
  const backend = await selectBackend(m.backend);
  const a = analyze(m.ir);
  // Initial values are overwritten by the first step's weights.
  const store = VariableStore.forGraph(a, 0);
  checkNamesMatch(m.model.slots.map((s) => s.name), store.names(['weight', 'stat', 'range']), 'the worker\'s model differs from the main thread\'s');
  const graph = buildTrainGraph(a, store, m.qat ? { qat: m.qat } : {});
  const vars = new Map(m.grads.slots.map((s) => [s.name, store.get(s.name)]));
  const objective = objectiveFor(m.objective.task, m.objective.outputShape, m.objective.imageLoss);
  replica = { init: m, store, graph, vars, objective, copyViews: backend === 'cpu' };
}

function load(r: Replica, values: Float32Array): void {
  for (const s of r.init.model.slots) {
    const view = slotView(values, s);
    const t = tf.tensor(r.copyViews ? view.slice() : view, s.shape, 'float32');
    r.store.get(s.name).assign(t);
    t.dispose();
  }
}

function step(r: Replica, m: StepMessage): void {
  const shared = r.init.shared;
  const seq = shared ? new Int32Array(shared.seq) : null;
  const t0 = performance.now();
  // The acquire-load pairs with the main thread's release-store after it wrote the weights.
  if (seq && Atomics.load(seq, 0) !== m.id) throw new Error(`weights for step ${m.id} were not in the shared buffer`);
  load(r, m.model ?? new Float32Array(shared!.model));
  r.store.setStep(m.step);
  const t1 = performance.now();
  const batch = { x: m.x, y: m.y, n: m.shape[0], shape: m.shape, ...(m.masks ? { masks: m.masks } : {}), ...(m.targets ? { targets: m.targets } : {}) };
  const g = shardGradients(r.graph, r.vars, batch, m.stepSeed, m.offset, r.objective);
  const t2 = performance.now();
  let out: ResultMessage;
  try {
    const layout: Layout = r.init.grads;
    const grads = shared ? new Float32Array(shared.grads) : new Float32Array(layout.total);
    for (const s of layout.slots) {
      const t = g.grads.get(s.name);
      if (!t) throw new Error(`no gradient for '${s.name}'`);
      grads.set(valuesOf(t), s.offset);
    }
    out = {
      type: 'result', id: m.id, loss: g.loss, correct: g.correct,
      grads: shared ? null : grads,
      stats: g.statUpdates.map((u) => ({ name: u.name, value: Float32Array.from(u.value.dataSync()), momentum: u.momentum })),
      ranges: g.rangeUpdates.map((u) => ({ name: u.name, value: Float32Array.from(u.value.dataSync()), combine: u.combine })),
      timings: { loadMs: t1 - t0, computeMs: t2 - t1, storeMs: performance.now() - t2 },
    };
    if (seq) Atomics.store(seq, 1, m.id);
  } finally {
    tf.dispose([...g.grads.values()]);
    disposeUpdates(g.statUpdates, g.rangeUpdates);
  }
  post(out, out.grads ? [out.grads.buffer as ArrayBuffer] : []);
}

function failure(e: unknown, id: number | null): ErrorMessage {
  const err = e instanceof Error ? e : new Error(String(e));
  return { type: 'error', id, message: err.message, user: err instanceof UserError, ...(err.stack ? { stack: err.stack } : {}) };
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    init(m).then(() => post({ type: 'ready' }), (e: unknown) => post(failure(e, null)));
  } else if (m.type === 'step') {
    try {
      if (!replica) throw new Error('step before init');
      step(replica, m);
    } catch (e) {
      post(failure(e, m.id));
    }
  } else {
    replica?.store.dispose();
    replica = null;
    port.close();
  }
});
