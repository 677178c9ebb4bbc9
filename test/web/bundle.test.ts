// The package in a web page: bundling the browser entry (and the root, which
// a bundler's browser resolution maps to it) pulls in no Node builtin and no
// Node-only module, and exports what the example page needs.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkBrowserBundle } from './browser-bundle.js';
import * as browserPlatform from '../../src/platform/browser.js';
import * as browserFiles from '../../src/io/files-browser.js';
import { userErrorMessage } from '../support/user-error.js';

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

  it('the browser stand-ins refuse run directories, model paths and files in one sentence', () => {
    expect(userErrorMessage(() => browserPlatform.loadCheckpoint('runs/x'))).to.match(/^a run directory .* needs Node; in a browser/);
    expect(userErrorMessage(() => browserPlatform.importLayersModel('m/model.json'))).to.match(/^reading a model\.json path needs Node/);
    expect(userErrorMessage(() => browserFiles.readUserFile('m.tflite', 'the model'))).to.match(/^Cannot read the model m\.tflite: a web page has no file paths/);
  });

  it('the example page type-checks against the web entry (the "browser" condition)', () => {
    const r = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', 'examples/web/page'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });
});
