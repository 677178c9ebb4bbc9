// The package in a web page: bundling the browser entry (and the root, which
// a bundler's browser resolution maps to it) pulls in no Node builtin and no
// Node-only module, and exports what the example page needs.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { checkBrowserBundle } from './browser-bundle.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('browser bundle', function () {
  this.timeout(120_000);

  for (const entry of ['dist/src/index-browser.js', 'dist/src/index.js']) {
    it(`${entry} bundles for the browser without Node-only imports`, async () => {
      const r = await checkBrowserBundle(entry, ROOT);
      expect(r.nodeImports).to.deep.equal([]);
      for (const name of ['quantizeModel', 'QatModel', 'buildModel', 'ZOO_NAMES', 'train', 'arrayDataset', 'Interpreter', 'layerParity', 'selectBackend', 'quantizeReal', 'UserError']) {
        expect(r.exports, name).to.include(name);
      }
    });
  }

  it('names what needs Node when an entry does (the check can fail)', async () => {
    const r = await checkBrowserBundle('dist/datasets/load.js', ROOT);
    expect(r.nodeImports).to.include('dist/datasets/load.js -> node:fs');
    expect(r.nodeImports).to.include('bundled dist/datasets/mnist.js');
  });
});
