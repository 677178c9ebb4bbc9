// Crash-safe file writes: temp file in the same directory, fsync, rename,
// then fsync the directory so the rename itself is durable.
import { closeSync, fsyncSync, openSync, renameSync, writeSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** The temp name writeFileAtomic uses; a killed writer leaves files of this shape behind. */
export const ATOMIC_TEMP_PATTERN = /^\..+\.tmp-\d+$/;

/** Writes `data` to `path` and fsyncs it, with no rename: for files inside a directory that is itself made current by a rename. */
export function writeFileDurable(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(path, 'w');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileDurable(tmp, data);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
}

/** fsyncs a directory so renames and creations inside it survive a power cut. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
