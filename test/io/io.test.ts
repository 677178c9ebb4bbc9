import { expect } from 'chai';
import { decodeNpy, encodeNpy } from '../../src/io/npy.js';
import { decodePng } from '../../src/io/png.js';
import { UserError } from '../../src/errors.js';
import { encodePng } from '../support/png-encode.js';

describe('io/npy', () => {
  it('round-trips every supported dtype and keeps the 64-byte data alignment', () => {
    const arrays = [
      new Int8Array([-128, -1, 0, 127]), new Uint8Array([0, 255, 7, 9]), new Int32Array([-5, 2 ** 30, 0, 1]),
      new Float32Array([0.5, -1.25, 3, 1e-7]), new Float64Array([Math.PI, -0, 2, 3]), new Int16Array([-300, 300, 1, 2]),
    ];
    for (const data of arrays) {
      const bytes = encodeNpy({ data, shape: [2, 2] });
      const header = new TextDecoder().decode(bytes.subarray(10, 10 + bytes[8]));
      expect((10 + header.length) % 64).to.equal(0);
      const back = decodeNpy(bytes);
      expect(back.shape).to.deep.equal([2, 2]);
      expect(back.data.constructor).to.equal(data.constructor);
      expect(Array.from(back.data)).to.deep.equal(Array.from(data));
    }
    expect(decodeNpy(encodeNpy({ data: new Int8Array(3), shape: [3] })).shape).to.deep.equal([3]);
    // A Node Buffer (what fs.readFileSync returns) slices as a view of a shared pool.
    const fromDisk = Buffer.from(encodeNpy({ data: new Float32Array([1, 2, 3]), shape: [3] }));
    expect(Array.from(decodeNpy(fromDisk).data)).to.deep.equal([1, 2, 3]);
  });

  it('rejects a wrong magic, a short payload and an unknown dtype with one sentence', () => {
    expect(() => decodeNpy(new Uint8Array(20), 'x.npy')).to.throw(UserError, 'x.npy is not a .npy file');
    const good = encodeNpy({ data: new Float32Array(4), shape: [4] });
    expect(() => decodeNpy(good.subarray(0, good.length - 1), 'x.npy')).to.throw(UserError, /should hold 4 × 4 bytes/);
    const complex = good.slice();
    const at = Buffer.from(complex).indexOf('<f4');
    complex.set([0x3c, 0x63, 0x38], at); // '<c8': complex64, which qat does not take
    expect(() => decodeNpy(complex, 'x.npy')).to.throw(UserError, /dtype <c8/);
  });
});

describe('io/png', () => {
  function pattern(n: number): Uint8Array {
    const p = new Uint8Array(n);
    for (let i = 0; i < n; i++) p[i] = (i * 37 + (i >> 3) * 11) & 0xff;
    return p;
  }

  it('decodes gray, RGB and RGBA images through all five row filters', () => {
    const w = 7, h = 10;
    const gray = pattern(w * h);
    const g = decodePng(encodePng(w, h, 0, gray));
    expect([g.width, g.height, g.channels]).to.deep.equal([w, h, 1]);
    expect(Array.from(g.data)).to.deep.equal(Array.from(gray));

    const rgb = pattern(w * h * 3);
    expect(Array.from(decodePng(encodePng(w, h, 2, rgb)).data)).to.deep.equal(Array.from(rgb));

    const rgba = pattern(w * h * 4);
    const dropped = decodePng(encodePng(w, h, 6, rgba));
    expect(dropped.channels).to.equal(3);
    const expected: number[] = [];
    for (let i = 0; i < w * h; i++) expected.push(rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]);
    expect(Array.from(dropped.data)).to.deep.equal(expected);
  });

  it('rejects non-PNG and truncated files with one sentence', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]), 'a.png')).to.throw(UserError, 'a.png is not a PNG file');
    const png = encodePng(4, 4, 0, pattern(16));
    expect(() => decodePng(png.subarray(0, 40), 'a.png')).to.throw(UserError, /a\.png/);
  });
});
