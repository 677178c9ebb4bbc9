import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
const entry = process.argv[2];
const hits = [];
const builtins = new Set(builtinModules);
const r = await esbuild.build({
  entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', metafile: true,
  plugins: [{ name: 'scan', setup(b) {
    b.onResolve({ filter: /.*/ }, async (a) => {
      if (a.pluginData === 'inner') return undefined;
      const bare = a.path.replace(/^node:/, '');
      if (!(a.path.startsWith('node:') || builtins.has(bare))) return undefined;
      const res = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: 'inner' });
      hits.push(`${a.importer.replace(process.cwd()+'/','')} -> ${a.path}: ${JSON.stringify({p: res.path, ns: res.namespace, ext: res.external, err: res.errors.length})}`);
      return undefined;
    });
  } }],
}).catch(e => { console.log('ERR', e.errors?.length, e.errors?.slice(0,5).map(x=>x.text+' '+x.location?.file)); return null; });
console.log(hits.join('\n'));
if (r) console.log(Object.keys(r.metafile.inputs).filter(k=>!k.startsWith('dist/')).map(k=>k.split('/').slice(0,3).join('/')).filter((v,i,a)=>a.indexOf(v)===i).join('\n'));
