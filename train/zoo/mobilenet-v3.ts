// MobileNet v3 (Howard et al., "Searching for MobileNetV3", tables 1 and 2):
// bottlenecks of 1×1 expand → BN → NL → depthwise 3×3 or 5×5 → BN → NL →
// optional squeeze-excite → 1×1 linear project → BN (+ residual when the
// shape is unchanged). NL is ReLU or hard-swish; the squeeze-excite gate is
// global pool → 1×1 conv → ReLU → 1×1 conv → hard-sigmoid, multiplied into
// the expanded features. Width multiplier alpha rounds channels to 8.
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { makeDivisible, stageStride, stemStride, type ZooOptions } from './common.js';

type Nonlinearity = 'relu' | 'hardSwish';

/** One bottleneck row: kernel k, expansion size, output channels, squeeze-excite, nonlinearity, stride. */
interface Bneck { k: 3 | 5; exp: number; out: number; se: boolean; nl: Nonlinearity; s: 1 | 2 }

const row = (k: 3 | 5, exp: number, out: number, se: boolean, nl: 'RE' | 'HS', s: 1 | 2): Bneck =>
  ({ k, exp, out, se, nl: nl === 'RE' ? 'relu' : 'hardSwish', s });

/** Table 2 of the paper (MobileNetV3-Small). */
const SMALL: Bneck[] = [
  row(3, 16, 16, true, 'RE', 2), row(3, 72, 24, false, 'RE', 2), row(3, 88, 24, false, 'RE', 1),
  row(5, 96, 40, true, 'HS', 2), row(5, 240, 40, true, 'HS', 1), row(5, 240, 40, true, 'HS', 1),
  row(5, 120, 48, true, 'HS', 1), row(5, 144, 48, true, 'HS', 1), row(5, 288, 96, true, 'HS', 2),
  row(5, 576, 96, true, 'HS', 1), row(5, 576, 96, true, 'HS', 1),
];

/** Table 1 of the paper (MobileNetV3-Large). */
const LARGE: Bneck[] = [
  row(3, 16, 16, false, 'RE', 1), row(3, 64, 24, false, 'RE', 2), row(3, 72, 24, false, 'RE', 1),
  row(5, 72, 40, true, 'RE', 2), row(5, 120, 40, true, 'RE', 1), row(5, 120, 40, true, 'RE', 1),
  row(3, 240, 80, false, 'HS', 2), row(3, 200, 80, false, 'HS', 1), row(3, 184, 80, false, 'HS', 1),
  row(3, 184, 80, false, 'HS', 1), row(3, 480, 112, true, 'HS', 1), row(3, 672, 112, true, 'HS', 1),
  row(5, 672, 160, true, 'HS', 2), row(5, 960, 160, true, 'HS', 1), row(5, 960, 160, true, 'HS', 1),
];

function nonlinearity(b: GraphBuilder, name: string, x: string, nl: Nonlinearity | 'none'): string {
  if (nl === 'relu') return b.relu(`${name}_relu`, x);
  if (nl === 'hardSwish') return b.hardSwish(`${name}_hswish`, x);
  return x;
}

function convBn(b: GraphBuilder, name: string, x: string, filters: number, nl: Nonlinearity | 'none', strides: 1 | 2 = 1): string {
  const y = b.conv2d(name, x, { filters, kernelSize: 1, strides, padding: 'same', useBias: false });
  return nonlinearity(b, name, b.batchNorm(`${name}_bn`, y), nl);
}

/** Squeeze-excite: the expanded features times a per-channel gate in [0, 1]. */
function squeezeExcite(b: GraphBuilder, name: string, x: string): string {
  const c = b.shape(x)[2]!;
  const squeeze = makeDivisible(c / 4);
  let g = b.reshape(`${name}_pool_1x1`, b.globalAvgPool(`${name}_pool`, x), [1, 1, c]);
  g = b.relu(`${name}_reduce_relu`, b.conv2d(`${name}_reduce`, g, { filters: squeeze, kernelSize: 1, useBias: true }));
  g = b.hardSigmoid(`${name}_gate`, b.conv2d(`${name}_expand`, g, { filters: c, kernelSize: 1, useBias: true }));
  return b.mul(`${name}_scale`, x, g);
}

function mobilenetV3(name: 'mobilenet-v3-small' | 'mobilenet-v3-large', table: Bneck[], lastConv: number, head: number, o: ZooOptions): Graph {
  const alpha = o.alpha ?? 1;
  const b = new GraphBuilder(name);
  let x = b.input('input', [...o.inputShape]);
  x = b.conv2d('stem', x, { filters: 16, kernelSize: 3, strides: stemStride(o.inputShape), padding: 'same', useBias: false });
  x = nonlinearity(b, 'stem', b.batchNorm('stem_bn', x), 'hardSwish');
  table.forEach((r, i) => {
    const id = `block${i}`;
    const inC = b.shape(x)[2]!;
    const exp = makeDivisible(r.exp * alpha);
    const out = makeDivisible(r.out * alpha);
    const stride = r.s === 2 ? stageStride(b, x) : 1;
    let y = x;
    if (exp !== inC) y = convBn(b, `${id}_expand`, y, exp, r.nl);
    y = b.depthwiseConv2d(`${id}_dw`, y, { kernelSize: r.k, strides: stride, padding: 'same', useBias: false });
    y = nonlinearity(b, `${id}_dw`, b.batchNorm(`${id}_dw_bn`, y), r.nl);
    if (r.se) y = squeezeExcite(b, `${id}_se`, y);
    y = convBn(b, `${id}_project`, y, out, 'none');
    x = stride === 1 && inC === out ? b.add(`${id}_add`, [x, y]) : y;
  });
  x = convBn(b, 'conv_last', x, makeDivisible(lastConv * alpha), 'hardSwish');
  // The paper's 1×1 convs without BN on the pooled features are dense layers on a 1×1 map.
  let y = b.globalAvgPool('pool', x);
  y = b.hardSwish('head_hswish', b.dense('head', y, alpha > 1 ? makeDivisible(head * alpha) : head));
  y = b.dropout('dropout', y, 0.2);
  return b.build([b.dense('logits', y, o.numClasses, { kernelInit: 'glorot' })]);
}

export const mobilenetV3Small = (o: ZooOptions): Graph => mobilenetV3('mobilenet-v3-small', SMALL, 576, 1024, o);
export const mobilenetV3Large = (o: ZooOptions): Graph => mobilenetV3('mobilenet-v3-large', LARGE, 960, 1280, o);
