// Reading and writing the files a user names on the command line. Failing to
// is the user's to fix (a wrong path, a missing folder), so it is reported as
// one UserError sentence rather than Node's errno message.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

function reason(e: unknown, missing: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return missing;
  if (code === 'EISDIR') return 'it is a directory';
  return (e as Error).message;
}

/** The whole file as a Uint8Array of its own (not a view into Node's shared Buffer pool). */
export function readUserFile(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new UserError(`Cannot read ${what} ${file}: ${reason(e, 'no such file')}.`);
  }
}

/**
 * Refuses an output path whose folder is missing (or that names a folder)
 * before any long work runs, so the results are not computed and then lost.
 */
export function checkOutputPath(file: string, flag: string): void {
  if (!file.trim()) throw new UserError(`${flag} must name a file to write.`);
  const folder = path.dirname(path.resolve(file));
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new UserError(`Cannot write ${file} (${flag}): its folder ${path.dirname(file)} does not exist.`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UserError(`Cannot write ${file} (${flag}): it is a directory.`);
}

export function writeUserFile(file: string, data: string | Uint8Array): void {
  try {
    fs.writeFileSync(file, data);
  } catch (e) {
    throw new UserError(`Cannot write ${file}: ${reason(e, 'its folder does not exist')}.`);
  }
}
