// Interpreter latency next to LiteRT.js (XNNPACK, one thread) on the int8
// random models: mnist-cnn and mobilenet-v1 alpha 0.25 at 96×96×3 and 32×32×3.
// Warm-up, then N runs each; median ms and the ratio ours / LiteRT. With
// --profile, also where our time goes per op type.
//   npm run bench:interp            (tsc -p . && node dist/bench/interp.js)
//   node dist/bench/interp.js [runs] [--profile]

import { Interpreter, type OpTiming } from '../src/interpreter/index.js';
import { loadLiteRt, type LiteRtArray } from '../test/support/litert.js';
import { mnistCnn, mobilenetV1, mulberry32, randomInput, type Net } from '../test/support/random-models.js';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 50);
const profile = args.includes('--profile');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const models: Net[] = [mnistCnn(), mobilenetV1({ size: 96, classes: 1000 }), mobilenetV1({ size: 32 })];
const lrt = await loadLiteRt();
console.log(`int8 models, ${runs} timed runs after warm-up, single thread; median ms per inference`);
console.log('model                         ours ms   LiteRT ms   ratio');
for (const net of models) {
  const bytes = net.quantized('int8');
  const ours = Interpreter.fromBuffer(bytes);
  const theirs = await lrt.compile(bytes);
  const d = ours.inputDetails()[0]!;
  const x = randomInput('int8', d.bytes, mulberry32(1)) as Int8Array;
  ours.setInput(0, x);
  for (let i = 0; i < 10; i++) ours.invoke();
  for (let i = 0; i < 10; i++) await theirs.run([x as LiteRtArray]);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    ours.invoke();
    a.push(performance.now() - t);
    t = performance.now();
    await theirs.run([x as LiteRtArray]);
    b.push(performance.now() - t);
  }
  theirs.delete();
  const ma = median(a);
  const mb = median(b);
  console.log(`${net.name.padEnd(28)} ${ma.toFixed(2).padStart(8)} ${mb.toFixed(2).padStart(11)} ${(ma / mb).toFixed(2).padStart(7)}x`);
  if (profile) {
    const byOp = new Map<string, number[]>();
    for (let i = 0; i < 5; i++) {
      ours.invokeProfiled().forEach((t: OpTiming) => {
        const k = t.op;
        const arr = byOp.get(k) ?? new Array<number>(5).fill(0);
        arr[i]! += t.ms;
        byOp.set(k, arr);
      });
    }
    const rows = [...byOp].map(([op, ms]) => [op, median(ms)] as const).sort((p, q) => q[1] - p[1]);
    console.log(`    where our time goes: ${rows.map(([op, ms]) => `${op} ${ms.toFixed(2)} ms`).join(', ')}`);
  }
}
