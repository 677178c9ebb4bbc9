// One prepared-layer record: what quantize/prepare.ts computes from a run's
// variables equals what the interpreter's planner reads back from the
// exported file, field by field, for every weighted layer of every zoo
// model (and the 4-bit and per-tensor variants, whose rounding differs).
import { expect } from 'chai';
import { exportGraph } from '../../export/index.js';
import { prepareLayers, type PreparedLayer } from '../../quantize/prepare.js';
import type { QatConfig } from '../../quantize/config.js';
import { analyze } from '../../src/ir/analyze.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { ZOO_CASES, qatCase, type ZooCase } from '../export/helpers.js';
import { useWasm } from '../train/helpers.js';

/** A record with typed arrays as plain arrays, so deep equality reads them by value. */
function plain(l: PreparedLayer): Record<string, unknown> {
  return {
    ...l,
    weights: Array.from(l.weights),
    bias: Array.from(l.bias),
    requant: {
      ...l.requant,
      scale: l.requant.scale ? Array.from(l.requant.scale) : null,
      multiplier: Array.from(l.requant.multiplier),
      shift: Array.from(l.requant.shift),
    },
  };
}

function compareRecords(c: ZooCase, config: Partial<QatConfig>): number {
  const { ir, store } = qatCase(c, 5, config);
  try {
    const a = analyze(ir);
    const fromStore = prepareLayers(a.graph, store);
    const it = Interpreter.fromBuffer(exportGraph(a, store, { mode: 'int8' }).bytes);
    const fromFile = new Map(it.preparedLayers().map((l) => [l.name, l]));
    expect(fromFile.size, 'the file holds one weighted op per prepared layer').to.equal(fromStore.length);
    for (const layer of fromStore) {
      const read = fromFile.get(layer.name);
      expect(read, layer.name).to.not.equal(undefined);
      expect(plain(read!), layer.name).to.deep.equal(plain(layer));
    }
    return fromStore.length;
  } finally {
    store.dispose();
  }
}

describe('prepared layers: the exporter\'s record = the interpreter\'s from the file', function () {
  before(useWasm);

  for (const c of ZOO_CASES) {
    it(`${c.name}`, () => {
      expect(compareRecords(c, {})).to.be.greaterThan(1);
    });
  }

  it('per-tensor 4-bit weights (lenet5) and per-channel 4-bit weights (mobilenet-v2)', () => {
    expect(compareRecords(ZOO_CASES.find((z) => z.name === 'lenet5')!, { perChannel: false, weightBits: 4 })).to.be.greaterThan(1);
    expect(compareRecords(ZOO_CASES.find((z) => z.name === 'mobilenet-v2')!, { weightBits: 4 })).to.be.greaterThan(1);
  });
});
