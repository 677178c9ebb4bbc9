// Models that cannot be exported fail with one sentence naming the layer and op.
import { expect } from 'chai';
import { exportGraph } from '../../export/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { VariableStore } from '../../train/state.js';
import { useWasm } from '../train/helpers.js';
import { buildCase } from './helpers.js';
import { userErrorMessage } from '../support/user-error.js';

const failure = userErrorMessage;

function oneSentence(msg: string): void {
  expect(msg).to.not.include('\n');
  expect(msg.match(/\.(\s|$)/g) ?? []).to.have.length.at.most(1);
}

describe('export: unexportable models', function () {
  before(useWasm);

  it('a layer left float by --skip is no reason to refuse: int8 keeps it float inside, the float modes export it too', () => {
    const ir = buildCase({ name: 'mnist-cnn', shape: [28, 28, 1] });
    const { graph } = rewriteForQat(ir, { skip: ['fc1'] });
    const store = VariableStore.forGraph(graph, 1);
    try {
      expect(exportGraph(graph, store, { mode: 'int8' }).summary.notes.join(' ')).to.include('fc1 (FULLY_CONNECTED');
      expect(exportGraph(graph, store, { mode: 'dynamic' }).bytes.length).to.be.greaterThan(0);
    } finally {
      store.dispose();
    }
  });

  it('names an op that has no lowering', () => {
    const b = new GraphBuilder('odd');
    const x = b.flatten('flatten', b.input('input', [4, 4, 2]));
    const graph = b.build([b.dense('logits', b.batchNorm('bn', x), 3)]);
    const store = VariableStore.forGraph(graph, 1);
    try {
      const msg = failure(() => exportGraph(graph, store, { mode: 'float' }));
      oneSentence(msg);
      expect(msg).to.equal("cannot export layer 'bn' (op batchNorm) in float mode: it has no TFLite lowering.");
    } finally {
      store.dispose();
    }
  });

  it('refuses int8 for a float run and integer I/O for float modes', () => {
    const ir = buildCase({ name: 'lenet5', shape: [28, 28, 1] });
    const store = VariableStore.forGraph(ir, 1);
    try {
      const int8 = failure(() => exportGraph(ir, store, { mode: 'int8' }));
      oneSentence(int8);
      expect(int8).to.include('--mode float');
      const io = failure(() => exportGraph(ir, store, { mode: 'float', inputType: 'uint8' }));
      oneSentence(io);
      expect(io).to.include('--mode int8');
    } finally {
      store.dispose();
    }
  });
});
