// Frees each op's backward inputs as soon as the backward pass is past it.
// tfjs keeps every intermediate gradient (dy) and every saved forward tensor
// until the whole backward pass ends, so a deep net's backward holds one
// gradient per op on top of everything the forward saved: for MobileNet that
// was most of a training step's peak memory. The tape walks the ops strictly
// in reverse; when op k's gradient is asked for, op k+1's gradient thunks
// have all run, so op k+1's dys and saved tensors are dead — unless one of
// them is itself an input's gradient, which stays. Each op's backward also
// runs in its own tidy, so its temporaries go at once.
//
// This patches one method of the tfjs engine (addTapeNode, tfjs-core 4.x).
// If its shape ever differs, installation is skipped: only memory is lost.
import * as tf from '@tensorflow/tfjs';

type GradThunks = Record<string, () => tf.Tensor>;

interface TapeNode {
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => GradThunks;
}

interface PatchableEngine {
  addTapeNode(...args: unknown[]): void;
  state: { activeTape: TapeNode[] | null };
}

/** What the previous op's backward left behind, freed when the next op's backward starts. */
let pending: { tensors: tf.Tensor[]; keep: Set<tf.Tensor> } | null = null;
let installed = false;

function releasePending(): void {
  if (!pending) return;
  for (const t of pending.tensors) if (!pending.keep.has(t) && !t.isDisposed) t.dispose();
  pending = null;
}

function wrap(node: TapeNode): void {
  const gradient = node.gradient;
  if (!gradient) return;
  // Tensors made before the op ran (a caller's own dy) are not the tape's to free.
  const firstOutputId = Math.min(...node.outputs.map((o) => o.id));
  node.gradient = (dys) => {
    releasePending();
    // Every input's gradient is computed here, inside one tidy, so the
    // temporaries of the op's backward (custom gradients compute eagerly,
    // outside any scope of the tape's) die with it.
    const names = Object.keys(node.inputs);
    const grads = tf.tidy(() => {
      const thunks = gradient(dys);
      return names.map((n) => thunks[n]());
    });
    const mine = dys.filter((d): d is tf.Tensor => d != null && d.id > firstOutputId);
    pending = { tensors: [...mine, ...(node.saved ?? [])], keep: new Set(grads) };
    return Object.fromEntries(names.map((n, i) => [n, () => grads[i]]));
  };
}

/** Installs the early release once per process; returns whether it is active. */
export function releaseBackwardMemoryEarly(): boolean {
  if (installed) return true;
  const engine = tf.engine() as unknown as Partial<PatchableEngine>;
  const add = engine.addTapeNode;
  if (typeof add !== 'function' || typeof engine.state !== 'object') return false;
  engine.addTapeNode = function (this: PatchableEngine, ...args: unknown[]): void {
    add.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node) wrap(node);
  };
  installed = true;
  return true;
}
