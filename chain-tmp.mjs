import * as esbuild from 'esbuild';
const r = await esbuild.build({ entryPoints: [process.argv[2]], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', metafile: true,
  plugins: [{ name: 'x', setup(b) { b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, external: true })); } }] });
const inputs = r.metafile.inputs;
const parents = new Map();
for (const [f, v] of Object.entries(inputs)) for (const i of v.imports) { if (!parents.has(i.path)) parents.set(i.path, f); }
for (const target of process.argv.slice(3)) {
  let cur = target; const chain = [cur];
  while (parents.has(cur) && chain.length < 30) { cur = parents.get(cur); chain.push(cur); }
  console.log(chain.join(' <- '));
}
