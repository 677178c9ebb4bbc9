// Builds the example page into dist-web/ (the page bundle, its HTML, the wasm
// backend's binaries and a few hundred embedded MNIST digits) and, with
// --serve, serves that folder on localhost. Run: npm run web (or web:build).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIGITS_PER_CLASS, DIGIT_PIXELS } from './page/digits.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAGE = join(ROOT, 'examples', 'web');
export const WEB_OUT = join(ROOT, 'dist-web');

/** The first DIGITS_PER_CLASS digits of each class as bytes (0–255), class after class: 10 × 200 × 784 bytes. */
function writeDigits(out: string): void {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const bytes = new Uint8Array(10 * DIGITS_PER_CLASS * DIGIT_PIXELS);
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    for (let i = 0; i < DIGITS_PER_CLASS * DIGIT_PIXELS; i++) bytes[d * DIGITS_PER_CLASS * DIGIT_PIXELS + i] = Math.round(data[i]! * 255);
  }
  writeFileSync(join(out, 'digits.bin'), bytes);
}

/** Builds the page into `out`; returns the bundle's size in bytes. */
export async function buildWeb(out = WEB_OUT): Promise<number> {
  mkdirSync(out, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(PAGE, 'page', 'main.ts')],
    bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true,
    outfile: join(out, 'main.js'), metafile: true, logLevel: 'warning',
    // The page imports 'qat' as a user would; the package's "browser" export condition picks the web entry.
    alias: { qat: ROOT.replace(/[\\/]$/, '') },
  });
  copyFileSync(join(PAGE, 'index.html'), join(out, 'index.html'));
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(out, f));
  writeDigits(out);
  return result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('main.js'))!]!.bytes;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
};

/** A static server for `dir` on 127.0.0.1 (port 0: any free one). */
export function serveWeb(dir = WEB_OUT, port = 0): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bytes = await buildWeb();
  console.log(`built ${WEB_OUT} (page bundle ${(bytes / 1e6).toFixed(2)} MB)`);
  if (process.argv.includes('--serve')) {
    const { url } = await serveWeb(WEB_OUT, Number(process.env.PORT ?? 8080));
    console.log(`serving the example page at ${url} (Ctrl-C stops)`);
  }
}
