// Opens /docs (web/docs.html: web/openapi.json rendered by the vendored Redoc) in headless
// Chromium against a running GoldenSignals server and checks that every operation of the
// document is rendered and that nothing was fetched from another origin (no CDN).
//   node docs.test.mjs http://127.0.0.1:PORT
// Env: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (default: a new temp dir).
import { chromium } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node docs.test.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error(`error: ${chromiumPath} not found (install Debian's chromium package)`);
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const spec = JSON.parse(readFileSync(path.join(here, '..', '..', 'web', 'openapi.json'), 'utf8'));
const shotDir = process.env.SCREENSHOT_DIR || await mkdtemp(path.join(os.tmpdir(), 'gs-docs-shots-'));
const profile = await mkdtemp(path.join(os.tmpdir(), 'gs-docs-profile-'));

// Redoc's "powered by" logo is an <img> from cdn.redoc.ly that docs.html's Content-Security-
// Policy refuses (Redoc then hides it): the one console error expected.
const expectedError = /cdn\.redoc\.ly.*Content Security Policy|Content Security Policy.*cdn\.redoc\.ly/;
const consoleErrors = [];
const foreignRequests = [];
const operationIds = Object.values(spec.paths).flatMap((item) =>
  Object.values(item).filter((o) => o && o.operationId).map((o) => o.operationId));

let context;
let failed = false;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expectedError.test(msg.text())) consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${base}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      foreignRequests.push(request);
    }
  });
  // A request the page's CSP refused never left the browser.
  page.on('requestfailed', (request) => {
    const at = foreignRequests.indexOf(request);
    if (at >= 0 && request.failure()?.errorText === 'csp') foreignRequests.splice(at, 1);
  });

  const response = await page.goto(`${base}/docs`, { timeout: 20_000 });
  if (!response || !response.ok()) throw new Error(`GET /docs answered ${response && response.status()}`);
  await page.locator('[id="operation/postBars"]').waitFor({ state: 'attached', timeout: 30_000 });
  const missing = [];
  for (const id of operationIds) {
    if ((await page.locator(`[id="operation/${id}"]`).count()) === 0) missing.push(id);
  }
  if (missing.length) throw new Error(`operations not rendered: ${missing.join(', ')}`);
  console.log(`ok    /docs renders all ${operationIds.length} operations`);
  const title = await page.locator('h1').first().innerText();
  if (!title.includes(spec.info.title)) throw new Error(`heading is "${title}"`);
  console.log(`ok    heading "${title}"`);
  await page.screenshot({ path: path.join(shotDir, 'docs.png') });
  if (foreignRequests.length) throw new Error(`requests to other origins: ${foreignRequests.map((r) => r.url()).join(', ')}`);
  console.log('ok    no request left the server (no CDN)');
  if (consoleErrors.length) throw new Error(`console errors: ${consoleErrors.join(' | ')}`);
  console.log('ok    no console errors');
} catch (err) {
  failed = true;
  console.log(`FAIL  ${err.message}`);
} finally {
  if (context) await context.close().catch(() => {});
  await rm(profile, { recursive: true, force: true }).catch(() => {});
}
console.log(`screenshots: ${shotDir}`);
console.log(failed ? 'docs test FAILED' : 'docs test passed');
process.exit(failed ? 1 : 0);
