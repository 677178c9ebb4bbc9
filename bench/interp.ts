// Interpreter latency next to LiteRT.js (XNNPACK, one thread) on the int8
// and float32 random models: mnist-cnn and mobilenet-v1 alpha 0.25 at 96×96×3 and 32×32×3.
// Our default (wasm SIMD) engine and the plain-JS engine are both timed,
// against the same LiteRT run. Warm-up, then rounds of 10 runs each, the
// three runners taking turns so machine-load drift hits them alike; median
// ms per inference and the ratios ours / LiteRT. With --profile, also where
// our time goes per op type (wasm engine); --ops adds every op's own median.
//   npm run bench:interp            (tsc -p . && node dist/bench/interp.js)
//   node dist/bench/interp.js [runs] [--profile] [--ops]

import { Interpreter, type OpTiming } from '../src/interpreter/index.js';
import { setKernelEngine } from '../src/interpreter/wasm/arena.js';
import { loadLiteRt, type LiteRtArray } from '../test/support/litert.js';
import { mnistCnn, mobilenetV1, mulberry32, randomInput, type Net } from '../test/support/random-models.js';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 50);
const perOp = args.includes('--ops');
const profile = perOp || args.includes('--profile');
const ROUND = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeRound(run: () => unknown, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run();
    into.push(performance.now() - t);
  }
}

function interpreter(bytes: Uint8Array, engine: 'wasm' | 'js'): Interpreter {
  setKernelEngine(engine);
  try {
    return Interpreter.fromBuffer(bytes);
  } finally {
    setKernelEngine(null);
  }
}

const models: Net[] = [mnistCnn(), mobilenetV1({ size: 96, classes: 1000 }), mobilenetV1({ size: 32 })];
const lrt = await loadLiteRt();
for (const dtype of ['int8', 'float32'] as const) {
console.log(`${dtype} models, ${runs} timed runs after warm-up, single thread; median ms per inference`);
console.log('model                      wasm ms   JS ms  LiteRT ms   wasm/LiteRT   JS/LiteRT');
for (const net of models) {
  const bytes = dtype === 'int8' ? net.quantized('int8') : net.float();
  const wasm = interpreter(bytes, 'wasm');
  const js = interpreter(bytes, 'js');
  const theirs = await lrt.compile(bytes);
  const d = wasm.inputDetails()[0]!;
  const x = randomInput(dtype, dtype === 'int8' ? d.bytes : d.bytes / 4, mulberry32(1));
  wasm.setInput(0, x);
  js.setInput(0, x);
  const runners: Array<[() => unknown, number[]]> = [
    [() => wasm.invoke(), []],
    [() => js.invoke(), []],
    [() => theirs.run([x as LiteRtArray]), []],
  ];
  for (const [run] of runners) await timeRound(run, 10, []);
  for (let done = 0; done < runs; done += ROUND) {
    for (const [run, times] of runners) await timeRound(run, Math.min(ROUND, runs - done), times);
  }
  theirs.delete();
  const [mw, mj, ml] = runners.map(([, t]) => median(t)) as [number, number, number];
  console.log(`${net.name.padEnd(24)} ${mw.toFixed(2).padStart(8)} ${mj.toFixed(2).padStart(7)} ${ml.toFixed(2).padStart(10)}`
    + ` ${(mw / ml).toFixed(2).padStart(12)}x ${(mj / ml).toFixed(2).padStart(10)}x`);
  if (profile) {
    const byOp = new Map<string, number[]>();
    const byIndex: Array<{ op: string; ms: number[] }> = [];
    const reps = 21;
    for (let i = 0; i < reps; i++) {
      wasm.invokeProfiled().forEach((t: OpTiming) => {
        const arr = byOp.get(t.op) ?? new Array<number>(reps).fill(0);
        arr[i]! += t.ms;
        byOp.set(t.op, arr);
        (byIndex[t.index] ??= { op: t.op, ms: [] }).ms.push(t.ms);
      });
    }
    if (perOp) byIndex.forEach(({ op, ms }, k) => console.log(`    op ${String(k).padStart(3)} ${op.padEnd(22)} ${(median(ms) * 1000).toFixed(1).padStart(8)} µs`));
    const rows = [...byOp].map(([op, ms]) => [op, median(ms)] as const).sort((p, q) => q[1] - p[1]);
    console.log(`    where our (wasm) time goes: ${rows.map(([op, ms]) => `${op} ${ms.toFixed(3)} ms`).join(', ')}`);
  }
}
}
