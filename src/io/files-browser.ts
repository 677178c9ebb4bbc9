// The browser's stand-in for ./files.js (the "browser" field of package.json):
// a page has no paths to read or write, so each names what to use instead.
import { UserError } from '../errors.js';
import type * as NodeFiles from './files.js';

export const readUserFile: typeof NodeFiles.readUserFile = (file, what) => {
  throw new UserError(`Cannot read ${what} ${file}: a web page has no file paths; pass the bytes instead (e.g. Interpreter.fromBuffer).`);
};
export const checkOutputPath: typeof NodeFiles.checkOutputPath = (file, flag) => {
  throw new UserError(`Cannot write ${file} (${flag}): a web page has no file paths; offer the bytes as a download instead.`);
};
export const writeUserFile: typeof NodeFiles.writeUserFile = (file) => {
  throw new UserError(`Cannot write ${file}: a web page has no file paths; offer the bytes as a download instead.`);
};
