// A bounds-checked view of flatbuffer tables on top of the flatbuffers
// runtime's ByteBuffer. The runtime itself trusts its input: an offset past the
// end reads `undefined` and silently turns into 0 or NaN. Model files come from
// users, so every read here is checked first and a bad one becomes one
// UserError sentence, which makes this a small verifier as well as a reader.

import { ByteBuffer } from 'flatbuffers';
import { UserError } from '../errors.js';

const utf8 = new TextDecoder('utf-8');

export function malformed(detail: string): UserError {
  return new UserError(`The model file is malformed: ${detail}.`);
}

export class FlatReader {
  readonly bb: ByteBuffer;
  readonly size: number;
  // Flatbuffers may legally alias (many offsets to one object), so a small
  // hostile file could make a naive reader walk the same data billions of
  // times. Every table, vector element and string costs units from a budget a
  // non-aliased file can never exhaust (each unit stands for ≥ 1 byte of it).
  private budget: number;

  constructor(bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
    this.budget = 2 * bytes.length + 1024;
  }

  spend(units: number, what: string): void {
    this.budget -= units;
    if (this.budget < 0) throw malformed(`${what} makes the file refer to the same data far more often than a model can`);
  }

  /** Throws unless [pos, pos + length) lies inside the file. */
  check(pos: number, length: number, what: string): void {
    if (!(Number.isInteger(pos) && pos >= 0 && length >= 0 && pos + length <= this.size)) {
      throw malformed(`${what} points outside the file`);
    }
  }

  /** The root table, found through the uoffset at byte 0. */
  root(what: string): TableView {
    this.check(0, 8, what);
    return this.table(this.bb.readUint32(0), what);
  }

  table(pos: number, what: string): TableView {
    this.spend(1, what);
    this.check(pos, 4, what);
    const vtable = pos - this.bb.readInt32(pos);
    this.check(vtable, 4, `the field table of ${what}`);
    const vtableSize = this.bb.readUint16(vtable);
    const objectSize = this.bb.readUint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw malformed(`the field table of ${what} has an impossible size`);
    this.check(vtable, vtableSize, `the field table of ${what}`);
    if (objectSize < 4) throw malformed(`${what} has an impossible size`);
    this.check(pos, objectSize, what);
    return new TableView(this, pos, vtable, vtableSize, objectSize, what);
  }
}

export class TableView {
  constructor(
    private readonly r: FlatReader,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly objectSize: number,
    readonly what: string,
  ) {}

  /** Absolute position of field `id` (`width` bytes wide), or 0 if absent. */
  private field(id: number, width: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableSize) return 0;
    const offset = this.r.bb.readUint16(this.vtable + slot);
    if (offset === 0) return 0;
    if (offset + width > this.objectSize) throw malformed(`field ${id} of ${this.what} lies outside its table`);
    return this.pos + offset;
  }

  has(id: number): boolean {
    return this.field(id, 1) !== 0;
  }

  int8(id: number, dflt = 0): number {
    const p = this.field(id, 1);
    return p ? this.r.bb.readInt8(p) : dflt;
  }

  uint8(id: number, dflt = 0): number {
    const p = this.field(id, 1);
    return p ? this.r.bb.readUint8(p) : dflt;
  }

  bool(id: number, dflt = false): boolean {
    const p = this.field(id, 1);
    return p ? this.r.bb.readUint8(p) !== 0 : dflt;
  }

  int32(id: number, dflt = 0): number {
    const p = this.field(id, 4);
    return p ? this.r.bb.readInt32(p) : dflt;
  }

  uint32(id: number, dflt = 0): number {
    const p = this.field(id, 4);
    return p ? this.r.bb.readUint32(p) : dflt;
  }

  float32(id: number, dflt = 0): number {
    const p = this.field(id, 4);
    return p ? this.r.bb.readFloat32(p) : dflt;
  }

  uint64(id: number, dflt = 0n): bigint {
    const p = this.field(id, 8);
    return p ? this.r.bb.readUint64(p) : dflt;
  }

  /** Target of the uoffset stored in field `id`, or 0 if absent. */
  private target(id: number, what: string): number {
    const p = this.field(id, 4);
    if (!p) return 0;
    const t = p + this.r.bb.readUint32(p);
    this.r.check(t, 4, what);
    return t;
  }

  table(id: number, what: string): TableView | null {
    const t = this.target(id, what);
    return t ? this.r.table(t, what) : null;
  }

  /** Start and length of a vector of `elemBytes`-wide elements. */
  private vector(id: number, elemBytes: number, what: string): { start: number; length: number } | null {
    const t = this.target(id, what);
    if (!t) return null;
    const length = this.r.bb.readUint32(t);
    this.r.check(t + 4, length * elemBytes, what);
    return { start: t + 4, length };
  }

  string(id: number, what: string): string | null {
    const v = this.vector(id, 1, what);
    if (!v) return null;
    this.r.spend(1 + Math.ceil(v.length / 4), what);
    return utf8.decode(this.r.bb.bytes().subarray(v.start, v.start + v.length));
  }

  int32s(id: number, what: string): number[] | null {
    return this.scalars(id, 4, what, (at) => this.r.bb.readInt32(at));
  }

  float32s(id: number, what: string): number[] | null {
    return this.scalars(id, 4, what, (at) => this.r.bb.readFloat32(at));
  }

  int64s(id: number, what: string): bigint[] | null {
    return this.scalars(id, 8, what, (at) => this.r.bb.readInt64(at));
  }

  /** A vector of fixed-width scalars, each one charged against the read budget. */
  private scalars<T>(id: number, elemBytes: number, what: string, read: (at: number) => T): T[] | null {
    const v = this.vector(id, elemBytes, what);
    if (!v) return null;
    this.r.spend(v.length, what);
    const out = new Array<T>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = read(v.start + elemBytes * i);
    return out;
  }

  /** A zero-copy view of a [ubyte] vector (aliasing costs nothing here). */
  bytes(id: number, what: string): Uint8Array | null {
    const v = this.vector(id, 1, what);
    if (!v) return null;
    this.r.spend(1, what);
    return this.r.bb.bytes().subarray(v.start, v.start + v.length);
  }

  tables(id: number, what: (i: number) => string): TableView[] | null {
    const list = `the list holding ${what(0)}`;
    const v = this.vector(id, 4, list);
    if (!v) return null;
    this.r.spend(v.length, list);
    const out = new Array<TableView>(v.length);
    for (let i = 0; i < v.length; i++) {
      const p = v.start + 4 * i;
      const t = p + this.r.bb.readUint32(p);
      out[i] = this.r.table(t, what(i));
    }
    return out;
  }
}
