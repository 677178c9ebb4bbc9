// Picks the fastest tfjs backend this machine can actually run.
// tfjs-node is optional (its install downloads libtensorflow, which fails
// offline), so its absence must never be an error in `auto` mode.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { shareWasmIdentityBuffers } from '../layers/wasm_identity.js';
import { bufferMeter } from './backend-memory.js';
import { firstAvailable, firstLine, type BackendAttempt } from './backend-attempts.js';

export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export const BACKEND_NAMES: readonly BackendChoice[] = ['auto', 'node', 'wasm', 'cpu'];

const require = createRequire(import.meta.url);

async function tryNode(): Promise<string | null> {
  try {
    require('@tensorflow/tfjs-node');
  } catch (e) {
    return `@tensorflow/tfjs-node is not installed or its native library is missing (${firstLine(e)})`;
  }
  // tfjs-node registers itself as 'tensorflow'.
  if (!(await tf.setBackend('tensorflow'))) return 'the tensorflow backend failed to initialise';
  return null;
}

async function tryWasm(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return `@tensorflow/tfjs-backend-wasm failed to load (${firstLine(e)})`;
  }
  // The threaded wasm build spawns workers from blob URLs, which Node cannot do.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
  shareWasmIdentityBuffers();
  // Metered from the first buffer on, so a step's resident bytes are all counted.
  bufferMeter();
  return null;
}

/** Name users see for the active tfjs backend. */
export function activeBackend(): BackendName {
  const b = tf.getBackend();
  return b === 'tensorflow' ? 'node' : (b as BackendName);
}

/**
 * Activates a backend. `auto` tries node, then wasm, then cpu.
 * An explicit choice that cannot load is an error naming why.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  if (!BACKEND_NAMES.includes(choice)) {
    throw new Error(`unknown backend '${choice}'; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  const attempts: Array<BackendAttempt<BackendName>> = [
    ['node', tryNode],
    ['wasm', tryWasm],
    ['cpu', async () => ((await tf.setBackend('cpu')) ? null : 'the cpu backend failed to initialise')],
  ];
  const wanted = choice === 'auto' ? attempts : attempts.filter(([n]) => n === choice);
  return firstAvailable(choice, wanted, (m) => new Error(m));
}
