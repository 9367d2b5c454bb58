// Drives the dashboard (web/) in headless Chromium against a running GoldenSignals server.
//   node dashboard.test.mjs http://127.0.0.1:PORT
// The server must have the demo bars (DEMO, SIMWALK) and no API token. Prints each check;
// exits non-zero on the first failure or if the page logged any console error.
// Env: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (default: a new temp dir).
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node dashboard.test.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error(`error: ${chromiumPath} not found (install Debian's chromium package)`);
  process.exit(2);
}
const STEP_MS = 20_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const shotDir = process.env.SCREENSHOT_DIR ||
  await mkdtemp(path.join(os.tmpdir(), 'gs-dashboard-shots-'));
const profile = await mkdtemp(path.join(os.tmpdir(), 'gs-dashboard-profile-'));

const consoleErrors = [];
const foreignRequests = [];
let page;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, fn) {
  const started = Date.now();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${STEP_MS / 1000} s`)), STEP_MS);
  });
  try {
    const note = await Promise.race([fn(), timeout]);
    if (consoleErrors.length) throw new Error(`console error(s): ${consoleErrors.join(' | ')}`);
    console.log(`ok    ${name}${note ? `: ${note}` : ''} (${Date.now() - started} ms)`);
  } catch (err) {
    console.log(`FAIL  ${name}: ${err.message}`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function api(method, route, body, type) {
  const response = await fetch(base + route, {
    method,
    headers: body ? { 'Content-Type': type } : {},
    body,
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: response.status, json, text };
}

// Daily bars from 2024-01-01, a smooth deterministic walk.
function csvBars(count) {
  const lines = ['time,open,high,low,close,volume'];
  let prev = 100;
  for (let i = 0; i < count; i++) {
    const time = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const close = +(100 + 6 * Math.sin(i / 6) + 0.15 * i).toFixed(2);
    const open = prev;
    const high = +(Math.max(open, close) + 0.8).toFixed(2);
    const low = +(Math.min(open, close) - 0.8).toFixed(2);
    lines.push(`${time}T00:00:00Z,${open},${high},${low},${close},${1_000_000 + 1000 * i}`);
    prev = close;
  }
  return { csv: `${lines.join('\n')}\n`, lastClose: prev };
}

// Daily bars from 2024-01-01 whose close follows closeAt(i).
function csvShape(count, closeAt) {
  const lines = ['time,open,high,low,close,volume'];
  let prev = closeAt(0);
  for (let i = 0; i < count; i++) {
    const time = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const close = +closeAt(i).toFixed(2);
    const high = +(Math.max(prev, close) + 0.5).toFixed(2);
    const low = +(Math.min(prev, close) - 0.5).toFixed(2);
    lines.push(`${time}T00:00:00Z,${prev},${high},${low},${close},${500_000 + 700 * i}`);
    prev = close;
  }
  return `${lines.join('\n')}\n`;
}

const row = (symbol) => `#signals tbody tr[data-symbol="${symbol}"]`;
const urow = (symbol) => `#universe tbody tr[data-symbol="${symbol}"]`;

// The universe table as the page shows it, in row order.
async function universeRows() {
  return page.evaluate(() => [...document.querySelectorAll('#universe tbody tr')].map((tr) => {
    const cell = (f) => tr.querySelector(`td[data-field="${f}"]`);
    return {
      symbol: tr.dataset.symbol,
      action: cell('action').textContent.trim(),
      score: cell('score').textContent.trim(),
      as_of: cell('as_of').querySelector('time')?.getAttribute('datetime') ?? null,
      bars: cell('bars').textContent.trim(),
    };
  }));
}

async function waitUniverse(predicate, arg) {
  await page.waitForFunction(predicate, arg, { timeout: STEP_MS, polling: 100 });
}

let context;
let failed = false;
try {
  await step('static: app.js writes no HTML strings (no innerHTML/outerHTML/insertAdjacentHTML)', async () => {
    const source = await readFile(path.join(here, '../../web/app.js'), 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write']) {
      check(!source.includes(sink), `web/app.js uses ${sink}`);
    }
  });

  await step(`launch ${chromiumPath} headless (fresh profile ${profile})`, async () => {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] || await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        consoleErrors.push(msg.text());
        console.log(`      console error: ${msg.text()}`);
      }
    });
    page.on('pageerror', (err) => {
      consoleErrors.push(`uncaught: ${err.message}`);
      console.log(`      page error: ${err.message}`);
    });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${base}/`) && !url.startsWith('data:')) foreignRequests.push(url);
    });
  });

  await step('open / and see the DEMO and SIMWALK rows (from the stream snapshot)', async () => {
    const response = await page.goto(`${base}/`, { timeout: STEP_MS });
    check(response && response.ok(), `GET / answered ${response && response.status()}`);
    await page.locator(row('DEMO')).waitFor({ timeout: STEP_MS });
    await page.locator(row('SIMWALK')).waitFor({ timeout: STEP_MS });
    // Marker that a reload would wipe.
    await page.evaluate(() => { window.__gsNoReload = 'still here'; });
    const rest = await api('GET', '/v1/signals?symbols=DEMO,SIMWALK&timeframe=1d');
    check(rest.status === 200, `GET /v1/signals -> ${rest.status}`);
    for (const signal of rest.json.signals) {
      const action = (await page.locator(`${row(signal.symbol)} td[data-field="action"]`).textContent()).trim();
      const asOf = await page.locator(`${row(signal.symbol)} td[data-field="as_of"] time`).getAttribute('datetime');
      check(action === signal.action, `${signal.symbol} action ${action} != REST ${signal.action}`);
      check(asOf === signal.as_of, `${signal.symbol} as_of ${asOf} != REST ${signal.as_of}`);
    }
    return `actions and as_of match GET /v1/signals (${rest.json.signals.map((s) => `${s.symbol} ${s.action}`).join(', ')})`;
  });

  await step('connection indicator says connected (role=status, aria-live)', async () => {
    const status = page.locator('#conn-status');
    await page.waitForFunction(() => document.querySelector('#conn-status').dataset.state === 'connected', null, { timeout: STEP_MS });
    const text = (await status.textContent()).trim();
    check(/^Connected$/.test(text), `status text "${text}"`);
    check(await status.getAttribute('role') === 'status', 'status lacks role=status');
    check(await status.getAttribute('aria-live') === 'polite', 'status lacks aria-live');
    return `"${text}"`;
  });

  let symbol = 'BROWSERTEST';
  if ((await api('GET', `/v1/bars/${symbol}?limit=1`)).status === 200) {
    symbol = `BT${Date.now() % 1e9}`; // a reused server already has it
  }
  const bars = csvBars(60);

  await step(`POST 60 daily bars for new symbol ${symbol}; its row appears without a reload`, async () => {
    check(await page.locator(row(symbol)).count() === 0, `${symbol} row exists before the POST`);
    const posted = await api('POST', `/v1/bars/${symbol}?timeframe=1d`, bars.csv, 'text/csv');
    check(posted.status === 200, `POST -> ${posted.status} ${posted.text}`);
    check(posted.json.accepted === 60, `accepted ${posted.json.accepted}`);
    await page.locator(row(symbol)).waitFor({ timeout: STEP_MS });
    check(await page.evaluate(() => window.__gsNoReload) === 'still here', 'the page was reloaded');
    const asOf = await page.locator(`${row(symbol)} td[data-field="as_of"] time`).getAttribute('datetime');
    check(Date.parse(asOf) === Date.parse(posted.json.last_time), `as_of ${asOf} != last_time ${posted.json.last_time}`);
    return `row shows as_of ${asOf}`;
  });

  await step(`POST one more ${symbol} bar (close x1.5); the row's as_of updates in place and flashes`, async () => {
    const before = await page.locator(`${row(symbol)} td[data-field="as_of"] time`).getAttribute('datetime');
    // Record whether the row gets the flash class (the animation is short).
    await page.evaluate((selector) => {
      const tr = document.querySelector(selector);
      window.__gsFlashed = false;
      new MutationObserver(() => { if (tr.classList.contains('flash')) window.__gsFlashed = true; })
        .observe(tr, { attributes: true, attributeFilter: ['class'] });
    }, row(symbol));
    const time = new Date(Date.UTC(2024, 0, 1) + 60 * 86_400_000).toISOString().replace('.000Z', 'Z');
    const close = +(bars.lastClose * 1.5).toFixed(2);
    const csv = `time,open,high,low,close,volume\n${time},${bars.lastClose},${close + 1},${bars.lastClose - 1},${close},5000000\n`;
    const posted = await api('POST', `/v1/bars/${symbol}?timeframe=1d`, csv, 'text/csv');
    check(posted.status === 200 && posted.json.accepted === 1, `POST -> ${posted.status} ${posted.text}`);
    await page.waitForFunction(([selector, old]) => {
      const t = document.querySelector(`${selector} td[data-field="as_of"] time`);
      return t && t.getAttribute('datetime') !== old;
    }, [row(symbol), before], { timeout: STEP_MS });
    const after = await page.locator(`${row(symbol)} td[data-field="as_of"] time`).getAttribute('datetime');
    check(Date.parse(after) === Date.parse(time), `as_of ${after}, want ${time}`);
    check(await page.evaluate(() => window.__gsFlashed), 'the row did not flash');
    check(await page.evaluate(() => window.__gsNoReload) === 'still here', 'the page was reloaded');
    const rest = await api('GET', `/v1/signals?symbols=${symbol}`);
    const action = (await page.locator(`${row(symbol)} td[data-field="action"]`).textContent()).trim();
    check(action === rest.json.signals[0].action, `action ${action} != REST ${rest.json.signals[0].action}`);
    return `as_of ${before} -> ${after}, action ${action}`;
  });

  const prefix = `UV${Date.now() % 1e7}`;
  const shapes = {
    [`${prefix}UP`]: (i) => 50 + 0.9 * i + 0.6 * Math.sin(i / 3),
    [`${prefix}DOWN`]: (i) => 160 - 0.9 * i + 0.6 * Math.sin(i / 3),
    [`${prefix}WAVE`]: (i) => 100 + 8 * Math.sin(i / 5),
    [`${prefix}FLAT`]: (i) => 80 + 0.3 * Math.sin(i),
  };
  const universeSymbols = Object.keys(shapes);

  await step(`universe: POST bars for ${universeSymbols.length} symbols; the table lists every symbol held with the actions of GET /v1/scan`, async () => {
    for (const [symbol, shape] of Object.entries(shapes)) {
      const posted = await api('POST', `/v1/bars/${symbol}?timeframe=1d`, csvShape(120, shape), 'text/csv');
      check(posted.status === 200 && posted.json.accepted === 120, `POST ${symbol} -> ${posted.status} ${posted.text}`);
    }
    const scan = await api('GET', '/v1/scan?timeframe=1d&limit=500');
    check(scan.status === 200, `GET /v1/scan -> ${scan.status}`);
    const held = await api('GET', '/v1/symbols?timeframe=1d&limit=1000');
    check(held.status === 200, `GET /v1/symbols -> ${held.status}`);
    const want = new Map(scan.json.results.map((r) => [r.symbol, r]));
    for (const s of [...universeSymbols, 'DEMO', 'SIMWALK', symbol]) check(want.has(s), `scan lacks ${s}`);
    check(scan.json.total === held.json.symbols.length, `scan total ${scan.json.total} != ${held.json.symbols.length} symbols held`);
    // The page refreshes on the signal events of these POSTs (debounced).
    await waitUniverse((symbols) => symbols.every((s) => document.querySelector(`#universe tbody tr[data-symbol="${s}"]`)),
      [...want.keys()]);
    const shown = await universeRows();
    check(shown.length === want.size, `${shown.length} rows, scan has ${want.size}`);
    const bars = new Map(held.json.symbols.map((s) => [s.symbol, s.timeframes['1d'].bars]));
    for (const r of shown) {
      const w = want.get(r.symbol);
      check(w, `row ${r.symbol} is not in the scan`);
      check(r.action === w.action, `${r.symbol} action ${r.action} != scan ${w.action}`);
      check(Date.parse(r.as_of) === Date.parse(w.as_of), `${r.symbol} as_of ${r.as_of} != scan ${w.as_of}`);
      check(r.bars === String(bars.get(r.symbol)), `${r.symbol} bars ${r.bars} != /v1/symbols ${bars.get(r.symbol)}`);
    }
    // Default order: by symbol.
    const symbols = shown.map((r) => r.symbol);
    check(symbols.join() === [...symbols].sort().join(), `rows not by symbol: ${symbols.join()}`);
    const actions = universeSymbols.map((s) => `${s} ${want.get(s).action}`).join(', ');
    return `${shown.length} rows (${actions})`;
  });

  await step('universe: clicking a header sorts (score down, score up, action, symbol), aria-sort follows', async () => {
    const scan = (await api('GET', '/v1/scan?timeframe=1d&limit=500')).json.results;
    const order = (key, dir) => [...scan].sort((a, b) => {
      const rank = { BUY: 0, HOLD: 1, SELL: 2, ABSTAIN: 3 };
      const x = key === 'action' ? rank[a.action] : a[key];
      const y = key === 'action' ? rank[b.action] : b[key];
      if (x !== y) return x < y ? -dir : dir;
      return a.symbol < b.symbol ? -1 : 1;
    }).map((r) => r.symbol).join();
    const header = (key) => page.locator(`#universe thead th[data-sort="${key}"] button`);
    const shownOrder = async () => (await universeRows()).map((r) => r.symbol).join();
    const expectOrder = async (key, dir, label) => {
      const want = order(key, dir);
      await waitUniverse(([w]) => [...document.querySelectorAll('#universe tbody tr')].map((tr) => tr.dataset.symbol).join() === w, [want])
        .catch(async () => { throw new Error(`${label}: rows ${await shownOrder()}, want ${want}`); });
      const sort = await page.locator(`#universe thead th[data-sort="${key}"]`).getAttribute('aria-sort');
      check(sort === (dir > 0 ? 'ascending' : 'descending'), `${label}: aria-sort ${sort}`);
      check(await page.locator('#universe thead th[aria-sort]').count() === 1, `${label}: more than one aria-sort`);
    };
    const before = await shownOrder();
    await header('score').click();
    await expectOrder('score', -1, 'score (first click)');
    check(await shownOrder() !== before, 'sorting by score did not reorder the rows');
    await header('score').click();
    await expectOrder('score', 1, 'score (second click)');
    await header('action').click();
    await expectOrder('action', 1, 'action');
    await header('symbol').click();
    await expectOrder('symbol', 1, 'symbol');
    return `score desc: ${order('score', -1).split(',').slice(0, 3).join(', ')}, ...`;
  });

  await step('universe: the action and min-confidence filters narrow the rows to GET /v1/scan\'s answer', async () => {
    const all = (await api('GET', '/v1/scan?timeframe=1d&limit=500')).json.results;
    const counts = new Map();
    for (const r of all) counts.set(r.action, (counts.get(r.action) || 0) + 1);
    // An action that holds some rows but not all; failing that, one that holds none.
    let action = [...counts.entries()].filter(([, n]) => n < all.length).sort((a, b) => a[1] - b[1])[0]?.[0];
    if (!action) action = ['BUY', 'SELL', 'HOLD'].find((a) => !counts.has(a));
    const want = all.filter((r) => r.action === action).map((r) => r.symbol).sort();
    check(want.length < all.length, `filter on ${action} would not narrow (${want.length} of ${all.length})`);
    await page.locator('#universe-filters select[name="action"]').selectOption(action);
    await waitUniverse(([w]) => [...document.querySelectorAll('#universe tbody tr')].map((tr) => tr.dataset.symbol).join() === w,
      [want.join()]).catch(async () => {
      throw new Error(`action=${action}: rows ${(await universeRows()).map((r) => r.symbol).join()}, want ${want.join()}`);
    });
    for (const r of await universeRows()) check(r.action === action, `${r.symbol} shows ${r.action} under action=${action}`);
    // Then the minimum confidence on top, at the median of those rows' confidences.
    await page.locator('#universe-filters select[name="action"]').selectOption('');
    const confidences = all.map((r) => r.confidence).sort((a, b) => a - b);
    const pct = Math.round(confidences[Math.floor(confidences.length / 2)] * 100);
    const byConfidence = all.filter((r) => r.confidence >= pct / 100).map((r) => r.symbol).sort();
    const rest = await api('GET', `/v1/scan?timeframe=1d&limit=500&min_confidence=${pct / 100}`);
    check(rest.json.results.map((r) => r.symbol).sort().join() === byConfidence.join(), 'test arithmetic != server');
    await page.locator('#universe-filters input[name="min_confidence"]').fill(String(pct));
    await waitUniverse(([w]) => [...document.querySelectorAll('#universe tbody tr')].map((tr) => tr.dataset.symbol).join() === w,
      [byConfidence.join()]).catch(async () => {
      throw new Error(`min_confidence=${pct}%: rows ${(await universeRows()).map((r) => r.symbol).join()}, want ${byConfidence.join()}`);
    });
    const narrowed = byConfidence.length;
    await page.locator('#universe-filters input[name="min_confidence"]').fill('');
    await waitUniverse((n) => document.querySelectorAll('#universe tbody tr').length === n, all.length);
    return `action=${action}: ${want.length} of ${all.length} rows; confidence >= ${pct}%: ${narrowed} rows; cleared: ${all.length}`;
  });

  await step('universe: a new POST updates that row in place (as_of, bars, action of the scan) and it flashes', async () => {
    const target = `${prefix}WAVE`;
    const before = (await universeRows()).find((r) => r.symbol === target);
    check(before, `no ${target} row`);
    await page.evaluate((selector) => {
      const tr = document.querySelector(selector);
      window.__gsUniverseFlashed = false;
      new MutationObserver(() => { if (tr.classList.contains('flash')) window.__gsUniverseFlashed = true; })
        .observe(tr, { attributes: true, attributeFilter: ['class'] });
    }, urow(target));
    const time = new Date(Date.UTC(2024, 0, 1) + 120 * 86_400_000).toISOString().replace('.000Z', 'Z');
    const csv = `time,open,high,low,close,volume\n${time},100,131,99,130,9000000\n`;
    const posted = await api('POST', `/v1/bars/${target}?timeframe=1d`, csv, 'text/csv');
    check(posted.status === 200 && posted.json.accepted === 1, `POST -> ${posted.status} ${posted.text}`);
    await waitUniverse(([selector, t]) => {
      const tr = document.querySelector(selector);
      const asOf = tr && tr.querySelector('td[data-field="as_of"] time');
      return asOf && Date.parse(asOf.getAttribute('datetime')) === Date.parse(t) &&
        tr.querySelector('td[data-field="bars"]').textContent.trim() === '121';
    }, [urow(target), time]);
    const scan = (await api('GET', '/v1/scan?timeframe=1d&limit=500')).json.results.find((r) => r.symbol === target);
    const after = (await universeRows()).find((r) => r.symbol === target);
    check(after.action === scan.action, `action ${after.action} != scan ${scan.action}`);
    check(await page.evaluate(() => window.__gsUniverseFlashed), 'the row did not flash');
    check(await page.evaluate(() => window.__gsNoReload) === 'still here', 'the page was reloaded');
    return `${target}: as_of ${before.as_of} -> ${after.as_of}, bars ${before.bars} -> ${after.bars}, ${before.action} -> ${after.action}`;
  });

  await step('universe: clicking a row opens that symbol in the detail', async () => {
    const target = `${prefix}DOWN`;
    await page.locator(urow(target)).click();
    await page.waitForFunction((s) => document.getElementById('detail-heading').textContent.includes(s) &&
      document.querySelectorAll('#agents tbody tr').length === 51 &&
      (document.getElementById('chart').getAttribute('aria-label') || '').startsWith(`${s} `), target, { timeout: STEP_MS });
    check(await page.locator(`${urow(target)} button[aria-current="true"]`).count() === 1, `${target} not marked current in the universe`);
    return `detail shows ${target}`;
  });

  await step('click the DEMO row: agent breakdown shows 51 agents by category', async () => {
    const rest = await api('GET', '/v1/signals/DEMO');
    check(rest.status === 200, `GET /v1/signals/DEMO -> ${rest.status}`);
    const agents = rest.json.agents;
    await page.locator(row('DEMO')).click();
    await page.waitForFunction(() => document.querySelectorAll('#agents tbody tr').length === 51, null, { timeout: STEP_MS });
    check(agents.length === 51, `REST has ${agents.length} agents`);
    check((await page.locator('#detail-heading').textContent()).includes('DEMO'), 'heading lacks DEMO');
    check((await page.locator('#agent-count').textContent()).includes('51'), 'agent count text lacks 51');
    const categories = new Set(agents.map((a) => a.category));
    const sections = await page.locator('#agents section.category').count();
    check(sections === categories.size, `${sections} category groups, want ${categories.size}`);
    for (const a of [agents[0], agents[25], agents[50]]) {
      const tr = page.locator(`#agents tr[data-agent="${a.name}"]`);
      const action = (await tr.locator('td').nth(0).textContent()).trim();
      const reason = (await tr.locator('td.reason').textContent()).trim();
      check(action === a.action, `${a.name} action ${action} != ${a.action}`);
      check(reason === a.reason.trim(), `${a.name} reason "${reason}" != "${a.reason}"`);
    }
    check(await page.locator(`${row('DEMO')} button[aria-current="true"]`).count() === 1, 'DEMO not marked current');
    return `${sections} categories: ${[...categories].join(', ')}`;
  });

  await step('the price chart canvas is drawn (candles + Bollinger + SMA 50/200, non-blank pixels)', async () => {
    await page.waitForFunction(() => {
      const drawn = document.getElementById('chart').dataset.drawn || '';
      return ['candles', 'bb_upper', 'bb_lower', 'sma_50', 'sma_200'].every((k) => drawn.split(',').includes(k));
    }, null, { timeout: STEP_MS });
    const stats = await page.evaluate(() => {
      const canvas = document.getElementById('chart');
      const ctx = canvas.getContext('2d');
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const bg = data.slice(0, 4).join(',');
      let differing = 0;
      const colors = new Set();
      for (let i = 0; i < data.length; i += 4) {
        const key = `${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`;
        if (key !== bg) differing++;
        if (colors.size < 1000) colors.add(key);
      }
      return { width: canvas.width, height: canvas.height, differing, total: data.length / 4,
        colors: colors.size, label: canvas.getAttribute('aria-label') };
    });
    const share = stats.differing / stats.total;
    check(stats.width > 200 && stats.height > 150, `canvas ${stats.width}x${stats.height}`);
    check(share > 0.03, `only ${(share * 100).toFixed(1)}% non-background pixels`);
    check(stats.colors > 20, `only ${stats.colors} distinct colours`);
    check(/DEMO.*250 bars/.test(stats.label), `aria-label "${stats.label}"`);
    await page.screenshot({ path: path.join(shotDir, 'dashboard-demo.png'), fullPage: true });
    return `${stats.width}x${stats.height}, ${(share * 100).toFixed(1)}% non-background, ` +
      `${stats.colors}+ colours; screenshot dashboard-demo.png`;
  });

  await step('keyboard: Enter on the SIMWALK symbol button switches the detail', async () => {
    await page.locator(`${row('SIMWALK')} button.sym`).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('detail-heading').textContent.includes('SIMWALK') &&
      document.querySelectorAll('#agents tbody tr').length === 51 &&
      (document.getElementById('chart').getAttribute('aria-label') || '').includes('SIMWALK'), null, { timeout: STEP_MS });
  });

  await step(`select ${symbol}, POST another bar: the open detail (summary, chart) follows live`, async () => {
    await page.locator(row(symbol)).click();
    await page.waitForFunction((s) => (document.getElementById('chart').getAttribute('aria-label') || '')
      .startsWith(`${s} `), symbol, { timeout: STEP_MS });
    const time = new Date(Date.UTC(2024, 0, 1) + 61 * 86_400_000).toISOString().replace('.000Z', 'Z');
    const csv = `time,open,high,low,close,volume\n${time},150,152,140,141,4000000\n`;
    const posted = await api('POST', `/v1/bars/${symbol}?timeframe=1d`, csv, 'text/csv');
    check(posted.status === 200, `POST -> ${posted.status} ${posted.text}`);
    await page.waitForFunction(([t]) => {
      const asOf = document.querySelector('#detail-summary time');
      const label = document.getElementById('chart').getAttribute('aria-label') || '';
      return asOf && Date.parse(asOf.getAttribute('datetime')) === Date.parse(t) &&
        label.includes('62 bars') && document.querySelectorAll('#agents tbody tr').length === 51;
    }, [time], { timeout: STEP_MS });
    return `detail as_of ${time}, chart has 62 bars`;
  });

  await step('narrow screen (390 px): no page-wide horizontal overflow', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const sizes = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    check(sizes.scroll <= sizes.inner, `page is ${sizes.scroll} px wide in a ${sizes.inner} px window`);
    await page.screenshot({ path: path.join(shotDir, 'dashboard-narrow.png'), fullPage: true });
    return 'screenshot dashboard-narrow.png';
  });

  await step('#read_token= reaches REST as Bearer and the stream as ?access_token=; #token= (the write token) is never sent', async () => {
    const second = await context.newPage();
    const seen = [];
    second.on('request', (request) => {
      seen.push({ url: request.url(), auth: request.headers().authorization || '' });
    });
    second.on('pageerror', (err) => consoleErrors.push(`uncaught (second page): ${err.message}`));
    try {
      await second.goto(`${base}/#read_token=rt-123&token=wt-456`, { timeout: STEP_MS });
      await second.locator(row('DEMO')).waitFor({ timeout: STEP_MS });
      await second.locator(row('DEMO')).click();
      await second.waitForFunction(() => document.querySelectorAll('#agents tbody tr').length === 51, null, { timeout: STEP_MS });
      const stream = seen.find((r) => new URL(r.url).pathname === '/v1/stream');
      check(stream, 'no /v1/stream request');
      const params = new URL(stream.url).searchParams;
      check(params.get('access_token') === 'rt-123', `stream URL ${stream.url} lacks access_token=rt-123`);
      check(!params.has('token'), `stream URL ${stream.url} has token=`);
      const rest = seen.find((r) => new URL(r.url).pathname === '/v1/signals/DEMO');
      check(rest && rest.auth === 'Bearer rt-123', `GET /v1/signals/DEMO sent Authorization "${rest && rest.auth}"`);
      const leaked = seen.filter((r) => r.url.includes('wt-456') || r.auth.includes('wt-456'));
      check(leaked.length === 0, `the write token was sent: ${leaked.map((r) => r.url).join(', ')}`);
      const hashNow = await second.evaluate(() => location.hash);
      check(!hashNow.includes('wt-456'), `the write token stayed in the address bar: ${hashNow}`);
      return `${seen.length} requests checked`;
    } finally {
      await second.close();
    }
  });

  await step('no request left the server (no CDN, fonts or other hosts)', async () => {
    check(foreignRequests.length === 0, `requests to ${foreignRequests.join(', ')}`);
  });

  await step('no console errors in the page', async () => {
    check(consoleErrors.length === 0, consoleErrors.join(' | '));
  });
} catch (err) {
  failed = true;
  if (page) {
    await page.screenshot({ path: path.join(shotDir, 'failure.png'), fullPage: true }).catch(() => {});
  }
} finally {
  if (context) await context.close().catch(() => {});
  await rm(profile, { recursive: true, force: true }).catch(() => {});
}

console.log(`screenshots: ${shotDir}`);
console.log(failed ? 'dashboard test FAILED' : 'dashboard test passed');
process.exit(failed ? 1 : 0);
