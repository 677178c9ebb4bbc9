// Trying backends in order, shared by Node's and the browser's selectBackend:
// the first that starts becomes active; if none does, one sentence gives
// each one's reason.
import * as tf from '@tensorflow/tfjs';
import { releaseBackwardMemoryEarly } from '../layers/backward_release.js';

/** A backend and how to start it: null when it is active, else why not. */
export type BackendAttempt<N extends string> = [N, () => Promise<string | null>];

export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!;
}

/** `failure` makes the error thrown when none starts (Node's callers wrap a plain Error; a page shows a UserError). */
export async function firstAvailable<N extends string>(
  choice: string, wanted: ReadonlyArray<BackendAttempt<N>>, failure: (message: string) => Error,
): Promise<N> {
  const reasons: string[] = [];
  for (const [name, attempt] of wanted) {
    let why: string | null;
    try {
      why = await attempt();
    } catch (e) {
      why = `${name} failed to load (${firstLine(e)})`;
    }
    if (why === null) {
      await tf.ready();
      releaseBackwardMemoryEarly();
      return name;
    }
    reasons.push(why);
  }
  throw failure(`backend '${choice}' is unavailable: ${reasons.join('; ')}`);
}
