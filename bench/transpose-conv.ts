// int8 TRANSPOSE_CONV latency, interpreter next to LiteRT.js, on the shape of
// unet-tiny's decoder (2×2 stride 2: 7×7×48 → 14×14×32 → 28×28×16) and a
// 3×3 stride-2 one. Warm-up, then alternating rounds of 10 runs; median ms.
//   npx tsc -p . && node dist/bench/transpose-conv.js [runs]

import { Interpreter } from '../src/interpreter/index.js';
import { loadLiteRt, type LiteRtArray } from '../test/support/litert.js';
import { Net, mulberry32, randomInput } from '../test/support/random-models.js';

const runs = Number(process.argv[2] ?? 200);
const ROUND = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function decoder(): Net {
  const n = new Net('unet-decoder', [1, 7, 7, 48], 1, [-1, 1]);
  return n.output(n.tconv(n.tconv(n.input, 32, 2, { act: 'RELU' }), 16, 2, { act: 'RELU' }));
}

function tconv3(): Net {
  const n = new Net('tconv3x3', [1, 14, 14, 32], 2, [-1, 1]);
  return n.output(n.tconv(n.input, 24, 3, { act: 'RELU' }));
}

const lrt = await loadLiteRt();
console.log('int8 model                 interpreter ms  LiteRT ms  ratio');
for (const net of [decoder(), tconv3()]) {
  const bytes = net.quantized('int8');
  const ours = Interpreter.fromBuffer(bytes);
  const theirs = await lrt.compile(bytes);
  const d = ours.inputDetails()[0]!;
  const x = randomInput('int8', d.bytes, mulberry32(3));
  ours.setInput(0, x);
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < 20; i++) {
    ours.invoke();
    await theirs.run([x as LiteRtArray]);
  }
  for (let done = 0; done < runs; done += ROUND) {
    for (let i = 0; i < ROUND; i++) {
      const t = performance.now();
      ours.invoke();
      times[0].push(performance.now() - t);
    }
    for (let i = 0; i < ROUND; i++) {
      const t = performance.now();
      await theirs.run([x as LiteRtArray]);
      times[1].push(performance.now() - t);
    }
  }
  theirs.delete();
  const [a, b] = [median(times[0]), median(times[1])];
  console.log(`${net.name.padEnd(26)} ${a.toFixed(3).padStart(14)} ${b.toFixed(3).padStart(10)} ${(a / b).toFixed(2).padStart(6)}`);
}
