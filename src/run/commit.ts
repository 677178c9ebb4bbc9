// Making a checkpoint current as a whole. A save writes every file of the
// new checkpoint into a staging directory, fsyncs them, and only then swaps
// directories by rename; the old checkpoint is deleted once the new one is
// in place. A kill at any moment leaves either the old or the new complete
// checkpoint readable (readers fall back to .checkpoint.prev during the
// instant between the two renames), never a mix of the two.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ATOMIC_TEMP_PATTERN, syncDir } from '../io/atomic.js';
import { CHECKPOINT_FILES, checkpointDir, checkpointPreviousDir, checkpointStagingDir } from './layout.js';

/** Writes a checkpoint with `write(dir)` into staging, then makes it `<run>/checkpoint` by rename. */
export function commitCheckpoint(runDir: string, write: (dir: string) => void): string {
  recoverRunDir(runDir);
  const staging = checkpointStagingDir(runDir);
  const current = checkpointDir(runDir);
  const previous = checkpointPreviousDir(runDir);
  mkdirSync(staging, { recursive: true });
  write(staging);
  syncDir(staging);
  if (existsSync(current)) renameSync(current, previous);
  renameSync(staging, current);
  syncDir(runDir);
  rmSync(previous, { recursive: true, force: true });
  return current;
}

/**
 * Puts a run directory left by a killed writer back in order: a checkpoint
 * caught between the two renames of a save is restored from
 * .checkpoint.prev, an unfinished staging directory and the temp files of
 * interrupted atomic writes are deleted. Returns the paths it removed.
 * Only writers call this: a reader might otherwise undo a live save.
 */
export function recoverRunDir(runDir: string): string[] {
  if (!existsSync(runDir)) return [];
  const current = checkpointDir(runDir);
  const previous = checkpointPreviousDir(runDir);
  if (!existsSync(current) && existsSync(join(previous, CHECKPOINT_FILES.index))) renameSync(previous, current);
  const removed: string[] = [];
  for (const dir of [previous, checkpointStagingDir(runDir)]) {
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  for (const dir of [runDir, current]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (ATOMIC_TEMP_PATTERN.test(name)) {
        rmSync(join(dir, name), { force: true });
        removed.push(join(dir, name));
      }
    }
  }
  // Runs saved file by file (before checkpoints were committed whole) could be killed in their first save, leaving an empty checkpoint/.
  if (existsSync(current) && readdirSync(current).length === 0) {
    rmSync(current, { recursive: true, force: true });
    removed.push(current);
  }
  if (removed.length) syncDir(runDir);
  return removed;
}

/** The directory holding the run's current complete checkpoint, for readers: `checkpoint`, or `.checkpoint.prev` mid-save. */
export function readableCheckpointDir(runDir: string): string | null {
  for (const dir of [checkpointDir(runDir), checkpointPreviousDir(runDir)]) {
    if (existsSync(join(dir, CHECKPOINT_FILES.index))) return dir;
  }
  return null;
}

/** True when a save was started in `runDir` but no checkpoint was ever completed (a kill during the first save). */
export function firstSaveInterrupted(runDir: string): boolean {
  return readableCheckpointDir(runDir) === null && existsSync(checkpointStagingDir(runDir));
}
