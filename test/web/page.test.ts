// The example page end to end in headless Chromium: it trains with fake
// quant, exports an int8 .tflite as a download, runs it in the bundled
// interpreter and compares every layer with the eval graph — all in the page.
// Here the downloaded file is run again in Node's interpreter on the inputs
// the page fed, and must give the outputs the page reported.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildWeb, serveWeb } from '../../examples/web/build.js';
import { Interpreter } from '../../src/index.js';
import type { LayerParity } from '../../src/parity/stats.js';

const CHROMIUM = '/usr/bin/chromium';

interface PageParity { agreement: number; count: number; layers: LayerParity[]; unmatched: string[]; inputs: number[][]; outputs: number[][]; accuracy: number }
interface PageDemo { status: string; error?: string; backend?: string; losses: number[]; parity?: PageParity }

describe('example web page in headless Chromium', function () {
  this.timeout(240_000);
  let browser: Browser | null = null;
  let server: Server | null = null;
  let page: Page;
  let url = '';
  const scratch = mkdtempSync(join(tmpdir(), 'qat-web-'));
  const downloads = join(scratch, 'downloads');

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
      this.skip();
    }
    await buildWeb(join(scratch, 'site'));
    ({ server, url } = await serveWeb(join(scratch, 'site')));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', `--user-data-dir=${join(scratch, 'profile')}`],
    });
    page = await browser.newPage();
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    rmSync(scratch, { recursive: true, force: true });
  });

  const demo = (): Promise<PageDemo> => page.evaluate(() => {
    const d = (globalThis as unknown as { qatDemo: PageDemo }).qatDemo;
    return { ...d, tflite: undefined };
  });

  async function until(status: string, ms: number): Promise<PageDemo> {
    await page.waitForFunction(
      (s) => { const st = (globalThis as unknown as { qatDemo?: { status: string } }).qatDemo?.status; return st === s || st === 'error'; },
      { timeout: ms, polling: 100 }, status,
    );
    const d = await demo();
    expect(d.error, 'page error').to.equal(undefined);
    return d;
  }

  it('trains, exports a download, and its interpreter outputs match Node\'s on the same inputs with 0 LSB per layer', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: 'load' });
    await until('ready', 30_000);
    await page.select('#backend', 'wasm');
    await page.$eval('#per-class', (e) => { (e as unknown as { value: string }).value = '40'; });
    await page.$eval('#steps', (e) => { (e as unknown as { value: string }).value = '25'; });
    await page.click('#train');
    const trained = await until('trained', 90_000);
    expect(trained.backend).to.equal('wasm');
    expect(trained.losses).to.have.length(25);
    expect(trained.losses.every(Number.isFinite)).to.equal(true);
    expect(await page.$eval('#progress', (e) => { const bar = e as unknown as { value: number; max: number }; return [bar.value, bar.max]; })).to.deep.equal([25, 25]);

    await page.click('#export');
    await until('exported', 30_000);
    const file = join(downloads, 'qat-model.tflite');
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(downloads)).to.include('qat-model.tflite');
    const bytes = new Uint8Array(readFileSync(file));

    await page.click('#parity');
    const checked = await until('checked', 60_000);
    const p = checked.parity!;
    // 3 digits × 40 images, every fifth held out.
    expect(p.count).to.equal(24);
    expect(p.inputs).to.have.length(24);
    expect(p.layers.length).to.be.greaterThan(3);
    expect(p.unmatched).to.deep.equal([]);
    for (const l of p.layers) expect(l.maxLsb, `${l.name} (${l.op})`).to.equal(0);
    expect(p.agreement).to.equal(1);
    const summary = await page.$eval('#parity-summary', (e) => e.textContent ?? '');
    expect(summary).to.contain('largest per-layer difference 0 LSB');
    expect(await page.$$eval('#layers tr', (rows) => rows.length)).to.equal(p.layers.length + 1);

    const interp = Interpreter.fromBuffer(bytes);
    const input = interp.inputDetails()[0]!;
    expect(input.dtype).to.equal('int8');
    for (let i = 0; i < p.inputs.length; i++) {
      interp.setInput(0, Int8Array.from(p.inputs[i]!));
      interp.invoke();
      expect(Array.from(interp.output(0) as Int8Array), `output for input ${i}`).to.deep.equal(p.outputs[i]);
    }
    // A model that learned something: the int8 model beats chance (1/3) on the held-out digits.
    expect(p.accuracy).to.be.greaterThan(0.5);
    expect(errors).to.deep.equal([]);
  });
});
