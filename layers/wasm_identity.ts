// tfjs-backend-wasm's Identity copies its input. tfjs runs Identity for every
// tensor a gradient saves (engine.clone), so each conv, BN and activation
// paid a full copy of its input per training step — about a third of a
// MobileNet step's peak memory. Tensors are immutable in tfjs, so sharing
// the buffer and counting one more reference (what the cpu backend's
// Identity does) is equivalent and free.
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

let installed = false;

/** Replaces the wasm backend's Identity with a buffer-sharing one; call after the backend is registered. */
export function shareWasmIdentityBuffers(): void {
  if (installed) return;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  installed = true;
}
