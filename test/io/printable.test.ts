// Bytes read from a file never reach an error message raw: a newline in a
// PNG chunk type or a .npy header used to split the one-line error.
import { expect } from 'chai';
import { decodeNpy } from '../../src/io/npy.js';
import { decodePng } from '../../src/io/png.js';
import { printable, printableBytes } from '../../src/io/printable.js';
import { userErrorMessage } from '../support/user-error.js';

const message = userErrorMessage;

function npy(header: string): Uint8Array {
  const h = Buffer.from(header, 'latin1');
  const out = new Uint8Array(10 + h.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(h, 10);
  return out;
}

describe('io/printable: error messages escape bytes read from files', () => {
  it('escapes control characters, other non-printing code points and backslashes, and cuts long text', () => {
    expect(printable('a\nb\r\t\x00\x7f\u2028\\')).to.equal('a\\nb\\r\\t\\x00\\x7f\\u{2028}\\\\');
    expect(printable('x'.repeat(100))).to.equal(`${'x'.repeat(80)}…`);
    expect(printableBytes(new Uint8Array([0x49, 0x0a, 0xff, 0x5c]))).to.equal('I\\x0a\\xff\\x5c');
  });

  it('a PNG truncated inside a chunk whose type holds a newline is one line', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 99, 0x49, 0x0a, 0x44, 0xff, 1, 2]);
    const m = message(() => decodePng(png, 'in.png'));
    expect(m).to.equal('in.png is truncated inside its I\\x0aD\\xff chunk');
  });

  it('a .npy header with newlines, in its dtype or shape, is one line', () => {
    expect(message(() => decodeNpy(npy("{'descr': 'x\ny'\n, 'fortran_order': False, 'shape': (2,), }"), 'a.npy')))
      .to.equal("a.npy has dtype x\\ny; supported: |i1, |u1, <i2, <i4, <f4, <f8");
    expect(message(() => decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2\n,x), }"), 'b.npy')))
      .to.equal('b.npy has an invalid shape (2\\n,x)');
    expect(message(() => decodeNpy(npy('garbage\nmore\x1b[31m'), 'c.npy'))).to.equal('c.npy has an unreadable header: garbage\\nmore\\x1b[31m');
  });
});
