// Bundles an entry for the browser with esbuild and lists what in it needs
// Node: imports of Node builtins that no package's "browser" field disables
// (esbuild cannot resolve those, so they fail the build), and files of ours or
// packages that only make sense in Node.
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';

const BUILTINS = new Set(builtinModules);

/** Modules a page must never load: run directories, files, workers, the CLI, LiteRT, tfjs-node. */
export const NODE_ONLY = [
  /^dist\/src\/platform\/node\.js$/, /^dist\/src\/io\/(files|atomic|png)\.js$/, /^dist\/src\/backend\.js$/, /^dist\/src\/(cli|litert)\//,
  /^dist\/src\/run\/(checkpoint|commit|metrics|layout|open|export|record|model-run|index)\.js$/,
  /^dist\/src\/import\/(from-file|save)\.js$/, /^dist\/train\/parallel\/(pool|workers|worker|stepper|index)\.js$/, /^dist\/train\/calibrate\.js$/, /^dist\/datasets\/(load|mnist|idx|directory|fashion-mnist|image-folder)\.js$/,
  /node_modules\/(yargs|@tensorflow\/tfjs-node|@litertjs)\//,
];

export interface BundleCheck {
  /** "importer -> module" for every Node builtin import left in, and every Node-only file bundled. */
  nodeImports: string[];
  /** Names the bundle exports. */
  exports: string[];
  bytes: number;
}

export async function checkBrowserBundle(entry: string, root: string): Promise<BundleCheck> {
  const found: string[] = [];
  const result = await esbuild.build({
    entryPoints: [entry], absWorkingDir: root, bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
    outfile: 'bundle.js',
    plugins: [{
      name: 'node-builtins',
      setup(build) {
        build.onResolve({ filter: /.*/ }, async (a) => {
          const name = a.path.replace(/^node:/, '');
          if (a.pluginData === 'inner' || !(a.path.startsWith('node:') || BUILTINS.has(name) || BUILTINS.has(name.split('/')[0]!))) return undefined;
          // A package's "browser" field may map the builtin to an empty module (tfjs does for fs, path, worker_threads).
          const r = await build.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: 'inner' });
          if (r.errors.length > 0) found.push(`${relative(root, a.importer)} -> ${a.path}`);
          return { path: a.path, external: true };
        });
      },
    }],
  });
  for (const input of Object.keys(result.metafile.inputs)) {
    if (!input.startsWith('(disabled)') && NODE_ONLY.some((re) => re.test(input))) found.push(`bundled ${input}`);
  }
  const out = Object.values(result.metafile.outputs)[0]!;
  return { nodeImports: [...new Set(found)].sort(), exports: out.exports, bytes: out.bytes };
}
