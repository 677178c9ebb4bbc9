// Tests of one-sentence errors: run `f`, require a UserError, return its message.
import { expect } from 'chai';
import { UserError } from '../../src/errors.js';

export function userErrorMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}
