// Painting real items (digits, clothing) onto a larger canvas with a
// per-pixel owner map: the pieces the segmentation datasets are made of.
// Items combine by maximum, as ink on paper does; a pixel belongs to the
// item that put the most ink there, if that ink reaches INK.

/** Item pixels at least this bright are the item's own pixels (labelled); fainter ones are antialiasing. */
export const INK = 0.5;
/** Pixels above this count towards an item's bounding box. */
const VISIBLE = 0.05;

/** One square greyscale item, side × side values in [0, 1]. */
export interface Item {
  pixels: Float32Array;
  side: number;
}

/** Rows and columns [top, bottom) × [left, right) of an item's visible pixels. */
export interface Box {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** Where a part of an item goes: its box `from` is copied with its top-left corner at (y, x). */
export interface Placement {
  item: Item;
  from: Box;
  y: number;
  x: number;
  /** The label its ink gets (class + 1), or 0 for clutter. */
  label: number;
}

export interface Canvas {
  side: number;
  pixels: Float32Array;
  /** Label per pixel: the owning item's label, 0 for background and clutter. */
  owner: Uint8Array;
}

/** The smallest box holding every visible pixel; the whole item when nothing is visible. */
export function visibleBox(item: Item): Box {
  let top = item.side, left = item.side, bottom = 0, right = 0;
  for (let y = 0; y < item.side; y++) {
    for (let x = 0; x < item.side; x++) {
      if (item.pixels[y * item.side + x]! <= VISIBLE) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
    }
  }
  return bottom > top ? { top, left, bottom, right } : { top: 0, left: 0, bottom: item.side, right: item.side };
}

/** Paints clutter first and labelled items over it; a placement must fit on the canvas. */
export function paintCanvas(side: number, placements: readonly Placement[]): Canvas {
  const pixels = new Float32Array(side * side);
  const owner = new Uint8Array(side * side);
  // Ink of the item that owns each pixel so far: an overlapping item takes the pixels where it is darker.
  const ownerInk = new Float32Array(side * side);
  for (const p of placements) {
    const { item, from } = p;
    const h = from.bottom - from.top, w = from.right - from.left;
    if (p.y < 0 || p.x < 0 || p.y + h > side || p.x + w > side) {
      throw new Error(`paintCanvas: a ${h}×${w} part at (${p.y}, ${p.x}) does not fit a ${side}×${side} canvas`);
    }
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = item.pixels[(from.top + r) * item.side + from.left + c]!;
        const at = (p.y + r) * side + p.x + c;
        if (v > pixels[at]!) pixels[at] = v;
        if (p.label > 0 && v >= INK && v > ownerInk[at]!) {
          owner[at] = p.label;
          ownerInk[at] = v;
        }
      }
    }
  }
  return { side, pixels, owner };
}

/** Halves an item's resolution by averaging 2×2 blocks (odd sides drop the last row and column). */
export function halveItem(item: Item): Item {
  const side = Math.floor(item.side / 2);
  const pixels = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const at = (2 * y) * item.side + 2 * x;
      const p = item.pixels;
      pixels[y * side + x] = (p[at]! + p[at + 1]! + p[at + item.side]! + p[at + item.side + 1]!) / 4;
    }
  }
  return { pixels, side };
}
