// Bytes the tfjs backend holds in tensor buffers, measured where they are
// allocated and freed. tf.memory() counts bytes per tensor object, so a
// reshape or a shared clone counts twice; a training step's peak must be
// measured per buffer to say whether it fits the wasm heap.
import * as tf from '@tensorflow/tfjs';

/** The tfjs wasm build's heap cannot grow past 4 GiB (32-bit addresses); malloc beyond it fails as a wasm trap. */
export const WASM_HEAP_LIMIT = 4 * 1024 ** 3;

export interface BufferMeter {
  /** Bytes in live buffers now. */
  live(): number;
  /** Highest `live()` since the meter was made or last reset. */
  peak(): number;
  /** Starts a new peak from the current live bytes. */
  resetPeak(): void;
  /**
   * Records live bytes after every allocation and free until the returned
   * function is called; it returns that trace.
   */
  record(): () => number[];
}

interface MeteredBackend {
  move(dataId: object, values: unknown, shape: number[], dtype: tf.DataType, refCount: number): void;
  disposeData(dataId: object, force?: boolean): boolean;
}

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

interface Counter {
  live: number;
  peak: number;
  trace: number[] | null;
}

const counters = new WeakMap<object, Counter>();

/**
 * The meter of the wasm backend when it is active (null otherwise: the
 * other backends have no fixed heap to outgrow). Counting
 * starts at the first call for a backend: buffers made before are not in
 * `live()`, and freeing them does not take it below zero.
 */
export function bufferMeter(): BufferMeter | null {
  const name = tf.getBackend();
  // Every wasm allocation goes through move (write and makeOutput call it).
  if (name !== 'wasm') return null;
  const backend = tf.backend() as unknown as MeteredBackend;
  let c = counters.get(backend);
  if (!c) {
    const counter: Counter = { live: 0, peak: 0, trace: null };
    c = counter;
    counters.set(backend, counter);
    const sizes = new WeakMap<object, number>();
    const move = backend.move.bind(backend);
    const dispose = backend.disposeData.bind(backend);
    backend.move = (dataId, values, shape, dtype, refCount) => {
      move(dataId, values, shape, dtype, refCount);
      const bytes = shape.reduce((n, d) => n * d, 1) * (BYTES[dtype] ?? 0);
      sizes.set(dataId, bytes);
      counter.live += bytes;
      if (counter.live > counter.peak) counter.peak = counter.live;
      counter.trace?.push(counter.live);
    };
    backend.disposeData = (dataId, force) => {
      const freed = dispose(dataId, force);
      const bytes = sizes.get(dataId);
      if (freed && bytes !== undefined) {
        sizes.delete(dataId);
        counter.live -= bytes;
        counter.trace?.push(counter.live);
      }
      return freed;
    };
  }
  const counter = c;
  return {
    live: () => counter.live,
    peak: () => counter.peak,
    resetPeak: () => {
      counter.peak = counter.live;
    },
    record: () => {
      const trace: number[] = [];
      counter.trace = trace;
      return () => {
        counter.trace = null;
        return trace;
      };
    },
  };
}

/** Binary mebibytes with one decimal below 10 MiB, as users read memory. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  const mib = bytes / 1024 ** 2;
  return `${mib >= 10 ? mib.toFixed(0) : mib.toFixed(1)} MiB`;
}
