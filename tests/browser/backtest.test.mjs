// Drives the dashboard's backtest views (web/backtest.js) in headless Chromium against a running
// GoldenSignals server: tests/browser/run.sh path/to/goldensignals backtest.test.mjs
// Posts its own bars, so it needs a server without an API token. Every figure the page shows is
// compared with the API's JSON (or the test's own arithmetic on the bars it posted).
// Env: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (default: a new temp dir).
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node backtest.test.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error(`error: ${chromiumPath} not found (install Debian's chromium package)`);
  process.exit(2);
}
const STEP_MS = 20_000;
const JOB_MS = 120_000; // a universe job of many 5,000-bar symbols, on a shared or sanitized build
const here = path.dirname(fileURLToPath(import.meta.url));
const shotDir = process.env.SCREENSHOT_DIR ||
  await mkdtemp(path.join(os.tmpdir(), 'gs-backtest-shots-'));
const profile = await mkdtemp(path.join(os.tmpdir(), 'gs-backtest-profile-'));

const consoleErrors = [];
let allowedConsole = null; // a RegExp of console errors a step expects (a 4xx the page shows)
let page;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, fn, timeoutMs = STEP_MS) {
  const started = Date.now();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
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
    allowedConsole = null;
  }
}

async function api(method, route, body, type = 'application/json') {
  const response = await fetch(base + route, {
    method,
    headers: body ? { 'Content-Type': type } : {},
    body: body && type === 'application/json' && typeof body !== 'string' ? JSON.stringify(body) : body,
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: response.status, json, text };
}

// Daily bars from 2010-01-01 whose close follows closeAt(i); returns the CSV and the closes.
function series(count, closeAt) {
  const lines = ['time,open,high,low,close,volume'];
  const closes = [];
  let prev = +closeAt(0).toFixed(2);
  for (let i = 0; i < count; i++) {
    const time = new Date(Date.UTC(2010, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const close = +closeAt(i).toFixed(2);
    const high = +(Math.max(prev, close) * 1.004).toFixed(2);
    const low = +(Math.min(prev, close) * 0.996).toFixed(2);
    lines.push(`${time}T00:00:00Z,${prev},${high},${low},${close},${400_000 + 900 * (i % 97)}`);
    closes.push({ time: Date.parse(`${time}T00:00:00Z`), close });
    prev = close;
  }
  return { csv: `${lines.join('\n')}\n`, closes };
}

// A deterministic noisy trend with cycles (agents call BUY and SELL on it).
function shape(seed) {
  let state = seed >>> 0;
  let level = 0;
  const noise = [];
  return (i) => {
    while (noise.length <= i) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      level += (state / 2 ** 32 - 0.5) * 1.2;
      noise.push(level);
    }
    return 100 + 0.04 * i + 9 * Math.sin(i / (9 + (seed % 7))) + noise[i];
  };
}

// The page's own formats, restated: a percentage with two decimals, a ratio with two.
const pct = (x, d = 2) => (x === null ? '–' : `${(x * 100).toFixed(d)} %`);
const signedPct = (x, d = 2) => (x === null ? '–' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(d)} %`);
const KINDS = {
  total_return: 'pct', buy_and_hold_return: 'pct', cagr: 'pct', sharpe: 'ratio', sortino: 'ratio',
  max_drawdown: 'pct', hit_rate: 'pct', trades: 'count', exposure: 'pct', turnover: 'units',
};
function formatted(kind, v) {
  if (v === null) return '–';
  if (kind === 'pct') return pct(v);
  if (kind === 'ratio') return v.toFixed(2);
  if (kind === 'count') return v.toLocaleString('en-US');
  return v.toFixed(1);
}

const panelState = (state) => page.waitForFunction((s) =>
  document.getElementById('backtest-panel').dataset.state === s, state, { timeout: STEP_MS, polling: 50 });

async function runFromForm(fields) {
  const form = page.locator('#backtest-form');
  await form.locator('input[name="symbol"]').fill(fields.symbol);
  await form.locator('select[name="timeframe"]').selectOption(fields.timeframe || '1d');
  await form.locator('input[name="from"]').fill(fields.from || '');
  await form.locator('input[name="to"]').fill(fields.to || '');
  await form.locator('input[name="horizon"]').fill(String(fields.horizon ?? 1));
  await form.locator('input[name="fee_bps"]').fill(String(fields.fee_bps ?? 0));
  await form.locator('select[name="mode"]').selectOption(fields.mode || 'long_short');
  // A marker the next answer replaces, so a stale render cannot pass.
  await page.evaluate(() => { document.getElementById('backtest-panel').dataset.state = 'submitted'; });
  await form.locator('button[type="submit"]').click();
}

// Points of a polyline as numbers.
async function polyline(series) {
  return page.evaluate((s) => {
    const line = document.querySelector(`#bt-equity polyline[data-series="${s}"]`);
    if (!line) return null;
    return [...line.points].map((p) => [p.x, p.y]);
  }, series);
}

async function jobState() {
  return page.evaluate(() => ({
    status: document.getElementById('jobs-panel').dataset.status,
    follow: document.getElementById('jobs-panel').dataset.follow,
    id: document.getElementById('jobs-panel').dataset.job,
    value: document.getElementById('job-progress').value,
    max: document.getElementById('job-progress').max,
    text: document.getElementById('job-progress-text').textContent,
  }));
}

// Records every value the progress bar takes (the page sets it from the job's events).
async function watchProgress() {
  await page.evaluate(() => {
    const bar = document.getElementById('job-progress');
    window.__gsProgress = [];
    window.__gsProgressObserver?.disconnect();
    window.__gsProgressObserver = new MutationObserver(() => {
      window.__gsProgress.push([bar.value, bar.max, document.getElementById('jobs-panel').dataset.status]);
    });
    window.__gsProgressObserver.observe(bar, { attributes: true, attributeFilter: ['value', 'max'] });
  });
}

async function rankingShown() {
  return page.evaluate(() => [...document.querySelectorAll('#job-ranking tbody tr')].map((tr) => {
    const td = tr.querySelectorAll('td');
    return { symbol: tr.dataset.symbol, rank: JSON.parse(td[0].dataset.value),
      total_return: JSON.parse(td[1].dataset.value), sharpe: JSON.parse(td[3].dataset.value),
      hit_rate: JSON.parse(td[5].dataset.value), text: td[1].textContent };
  }));
}

function sameRanking(shown, ranking, label) {
  check(shown.length === ranking.length, `${label}: ${shown.length} ranking rows, API has ${ranking.length}`);
  ranking.forEach((r, i) => {
    const s = shown[i];
    check(s.symbol === r.symbol && s.rank === r.rank, `${label}: row ${i} is ${s.symbol} #${s.rank}, API ${r.symbol} #${r.rank}`);
    check(s.total_return === r.total_return && s.sharpe === r.sharpe && s.hit_rate === r.hit_rate,
      `${label}: ${r.symbol} figures ${JSON.stringify(s)} != API ${JSON.stringify(r)}`);
    check(s.text === signedPct(r.total_return), `${label}: ${r.symbol} shows "${s.text}", want ${signedPct(r.total_return)}`);
  });
}

const tag = `${Date.now() % 1e6}`;
const single = `BTV${tag}`;
const singleBars = series(700, shape(7));
const bigSymbols = Array.from({ length: 24 }, (_, i) => `BTJ${tag}X${i}`);

let context;
let failed = false;
try {
  await step('static: backtest.js writes no HTML strings (no innerHTML/outerHTML/insertAdjacentHTML)', async () => {
    const source = await readFile(path.join(here, '../../web/backtest.js'), 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write']) {
      check(!source.includes(sink), `web/backtest.js uses ${sink}`);
    }
  });

  await step(`POST 700 daily bars for ${single} and 5,000 for each of ${bigSymbols.length} job symbols`, async () => {
    const posted = await api('POST', `/v1/bars/${single}?timeframe=1d`, singleBars.csv, 'text/csv');
    check(posted.status === 200 && posted.json.accepted === 700, `POST ${single} -> ${posted.status} ${posted.text}`);
    for (const [i, symbol] of bigSymbols.entries()) {
      const { csv } = series(5000, shape(100 + i));
      const r = await api('POST', `/v1/bars/${symbol}?timeframe=1d`, csv, 'text/csv');
      check(r.status === 200 && r.json.accepted === 5000, `POST ${symbol} -> ${r.status} ${r.text}`);
    }
  }, 60_000);

  await step(`launch ${chromiumPath} headless and open /`, async () => {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] || await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      if (allowedConsole && allowedConsole.test(msg.text())) return;
      consoleErrors.push(msg.text());
      console.log(`      console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => {
      consoleErrors.push(`uncaught: ${err.message}`);
      console.log(`      page error: ${err.message}`);
    });
    const response = await page.goto(`${base}/`, { timeout: STEP_MS });
    check(response && response.ok(), `GET / answered ${response && response.status()}`);
    await page.locator('#backtest-form').waitFor({ timeout: STEP_MS });
    // The symbol field suggests the symbols held.
    await page.waitForFunction((s) => !!document.querySelector(`#backtest-symbols option[value="${s}"]`),
      single, { timeout: STEP_MS });
  });

  const options = { symbol: single.toLowerCase(), from: '2010-03-01', to: '2011-10-31', horizon: 3, fee_bps: 5, mode: 'long_short' };
  const query = `timeframe=1d&from=2010-03-01T00:00:00Z&to=2011-10-31T23:59:59Z&horizon=3&fee_bps=5&mode=long_short`;
  let report;

  await step(`backtest ${single} (from, to, horizon 3, 5 bps): the equity chart has both series, one point per equity point`, async () => {
    await runFromForm(options);
    await panelState('done');
    const r = await api('GET', `/v1/backtest/${single}?${query}`);
    check(r.status === 200, `GET /v1/backtest -> ${r.status} ${r.text}`);
    report = r.json;
    check(report.equity.length > 100, `only ${report.equity.length} equity points`);
    // The test's own buy and hold, from the closes it posted.
    const closes = new Map(singleBars.closes.map((b) => [b.time, b.close]));
    const first = closes.get(Date.parse(report.equity[0][0]));
    const bh = report.equity.map(([t]) => closes.get(Date.parse(t)) / first);
    check(Math.abs(bh[bh.length - 1] - 1 - report.summary.buy_and_hold_return) < 1e-9,
      `posted closes give buy and hold ${bh[bh.length - 1] - 1}, API ${report.summary.buy_and_hold_return}`);
    const strategy = await polyline('strategy');
    const hold = await polyline('buy_and_hold');
    check(strategy && hold, 'a series is missing from the SVG');
    check(strategy.length === report.equity.length, `strategy has ${strategy.length} points, API ${report.equity.length}`);
    check(hold.length === report.equity.length, `buy and hold has ${hold.length} points, want ${report.equity.length}`);
    // Shared linear axes: y is a linear map of the value and x of the time, for both series.
    const eq = report.equity.map((p) => p[1]);
    const yScale = (hold[hold.length - 1][1] - hold[0][1]) / (bh[bh.length - 1] - 1);
    for (const i of [0, Math.floor(eq.length / 3), Math.floor((2 * eq.length) / 3), eq.length - 1]) {
      const want = hold[0][1] + (eq[i] - 1) * yScale;
      check(Math.abs(strategy[i][1] - want) < 0.3, `strategy point ${i}: y ${strategy[i][1]}, want ${want.toFixed(1)} for equity ${eq[i]}`);
      const wantBh = hold[0][1] + (bh[i] - 1) * yScale;
      check(Math.abs(hold[i][1] - wantBh) < 0.3, `buy and hold point ${i}: y ${hold[i][1]}, want ${wantBh.toFixed(1)}`);
      check(Math.abs(strategy[i][0] - hold[i][0]) < 0.01, `point ${i}: x differs between the series`);
    }
    for (let i = 1; i < strategy.length; i++) check(strategy[i][0] > strategy[i - 1][0], `x not increasing at ${i}`);
    const label = await page.locator('#bt-equity').getAttribute('aria-label');
    check(label.includes(`strategy ${signedPct(report.summary.total_return)}`) &&
      label.includes(`buy and hold ${signedPct(report.summary.buy_and_hold_return)}`), `aria-label "${label}"`);
    const meta = await page.locator('#backtest-meta').textContent();
    check(meta.includes(`${report.bars.toLocaleString('en-US')} bars scored`) && meta.includes('horizon 3') &&
      meta.includes('fee 5 bps'), `meta "${meta}"`);
    await page.screenshot({ path: path.join(shotDir, 'backtest-single.png'), fullPage: true });
    return `${strategy.length} points each; strategy ${signedPct(report.summary.total_return)}, ` +
      `buy and hold ${signedPct(report.summary.buy_and_hold_return)}`;
  });

  await step('the summary table shows every summary figure of the API, with its unit', async () => {
    const rows = await page.evaluate(() => [...document.querySelectorAll('#bt-summary tbody tr')].map((tr) => ({
      key: tr.dataset.key, label: tr.querySelector('th').textContent, value: JSON.parse(tr.querySelector('td.num').dataset.value),
      text: tr.querySelector('td.num').textContent, unit: tr.querySelector('td:last-child').textContent })));
    const keys = Object.keys(report.summary);
    check(rows.map((r) => r.key).sort().join() === keys.sort().join(), `rows ${rows.map((r) => r.key)} != API ${keys}`);
    for (const r of rows) {
      check(r.value === report.summary[r.key], `${r.key}: ${r.value} != API ${report.summary[r.key]}`);
      check(r.text === formatted(KINDS[r.key], report.summary[r.key]), `${r.key}: text "${r.text}"`);
      check(r.unit.trim().length > 0 && r.label.trim().length > 0, `${r.key}: no label or unit`);
    }
    const byAction = await page.evaluate(() => [...document.querySelectorAll('#bt-by-action tbody tr')].map((tr) => ({
      action: tr.dataset.action, cells: [...tr.querySelectorAll('td')].map((td) => JSON.parse(td.dataset.value)) })));
    check(byAction.length === 3, `${byAction.length} by-action rows`);
    for (const { action, cells } of byAction) {
      const f = report.by_action[action];
      check(cells[0] === f.count && cells[1] === f.hit_rate && cells[2] === f.avg_forward_return,
        `${action}: ${cells} != API ${JSON.stringify(f)}`);
    }
    return rows.map((r) => `${r.key} ${r.text}`).join(', ');
  });

  await step('the agent hit-rate chart: one bar per agent with a call, best first, sized by hit rate, with the 50 % line', async () => {
    const want = report.agents.filter((a) => a.signals > 0 && a.hit_rate !== null);
    check(want.length >= 5 && want.length < report.agents.length,
      `fixture: ${want.length} of ${report.agents.length} agents made calls (want some, not all)`);
    const bars = await page.evaluate(() => [...document.querySelectorAll('#bt-agents rect.bar')].map((r) => ({
      agent: r.dataset.agent, value: JSON.parse(r.dataset.value), signals: Number(r.dataset.signals),
      x: r.x.baseVal.value, width: r.width.baseVal.value })));
    check(bars.length === want.length, `${bars.length} bars, ${want.length} agents with calls`);
    const byName = new Map(want.map((a) => [a.name, a]));
    for (const b of bars) {
      const a = byName.get(b.agent);
      check(a, `bar for ${b.agent}, which made no call`);
      check(b.value === a.hit_rate && b.signals === a.signals, `${b.agent}: ${b.value}/${b.signals} != API ${a.hit_rate}/${a.signals}`);
    }
    for (let i = 1; i < bars.length; i++) check(bars[i - 1].value >= bars[i].value, `bars not sorted at ${i}`);
    // Width proportional to the hit rate, from one shared origin; the 50 % line halfway.
    const full = bars[0].width / bars[0].value;
    for (const b of bars) {
      check(Math.abs(b.x - bars[0].x) < 0.01, `${b.agent} starts at ${b.x}`);
      if (b.value > 0) check(Math.abs(b.width - b.value * full) < 0.2, `${b.agent}: width ${b.width}, want ${b.value * full}`);
    }
    const fifty = await page.evaluate(() => {
      const line = document.querySelector('#bt-agents [data-line="50"] line');
      return line && { x: line.x1.baseVal.value, text: line.parentNode.textContent };
    });
    check(fifty && Math.abs(fifty.x - (bars[0].x + full / 2)) < 0.6, `50 % line at ${fifty && fifty.x}, want ${bars[0].x + full / 2}`);
    check(fifty.text.includes('50 %'), 'the 50 % line has no label');
    const caption = await page.locator('#bt-agents-caption').textContent();
    const silent = report.agents.filter((a) => !byName.has(a.name));
    check(silent.every((a) => caption.includes(a.name)), `caption does not name the ${silent.length} agents without calls`);
    const label = await page.locator('#bt-agents').getAttribute('aria-label');
    check(label.includes(`each of ${bars.length} agents`) && label.includes(`${bars[0].agent} ${pct(bars[0].value, 1)}`),
      `hit-rate chart aria-label "${label}"`);
    const rows = await page.locator('#bt-agent-table tbody tr').count();
    check(rows === report.agents.length, `agent table has ${rows} rows, API ${report.agents.length}`);
    return `${bars.length} bars, best ${bars[0].agent} ${pct(bars[0].value, 1)}; ${silent.length} agents without calls`;
  });

  await step('an unknown symbol shows the API\'s 404 error (code and message) and hides the old result', async () => {
    const api404 = await api('GET', `/v1/backtest/NOSUCH${tag}?timeframe=1d`);
    check(api404.status === 404, `API answered ${api404.status}`);
    allowedConsole = /status of 404/;
    await runFromForm({ symbol: `NOSUCH${tag}` });
    await panelState('error');
    const error = page.locator('#backtest-error');
    check(await error.isVisible(), 'the error is not visible');
    check(await error.getAttribute('role') === 'alert', 'the error lacks role=alert');
    const text = await error.textContent();
    const { code, message } = api404.json.error;
    check(text.includes(`404 ${code}: ${message}`), `error "${text}" lacks "404 ${code}: ${message}"`);
    check(await page.locator('#backtest-result').isHidden(), 'the previous result is still shown');
    return `"${text}"`;
  });

  await step('a 400 (from after to) shows its reason; a good run clears the error', async () => {
    const api400 = await api('GET', `/v1/backtest/${single}?from=2011-01-01T00:00:00Z&to=2010-01-01T23:59:59Z`);
    check(api400.status === 400, `API answered ${api400.status}`);
    allowedConsole = /status of 400/;
    await runFromForm({ symbol: single, from: '2011-01-01', to: '2010-01-01' });
    await panelState('error');
    const text = await page.locator('#backtest-error').textContent();
    check(text.includes(`400 ${api400.json.error.code}: ${api400.json.error.message}`), `error "${text}"`);
    await runFromForm({ symbol: single, mode: 'long_only' });
    await panelState('done');
    check(await page.locator('#backtest-error').isHidden(), 'the error stayed after a good run');
    const r = await api('GET', `/v1/backtest/${single}?timeframe=1d&mode=long_only`);
    const shown = await page.evaluate(() => JSON.parse(document.querySelector('#bt-summary tr[data-key="total_return"] td.num').dataset.value));
    check(shown === r.json.summary.total_return, `long_only total_return ${shown} != API ${r.json.summary.total_return}`);
    return `"${text}"`;
  });

  let ranking;
  await step(`universe job over ${bigSymbols.length} symbols x 5,000 bars: the progress bar moves (SSE) to done, then the ranking`, async () => {
    await watchProgress();
    const form = page.locator('#job-form');
    await form.locator('input[name="symbols"]').fill([...bigSymbols, `NOSUCH${tag}`].join(', '));
    await form.locator('select[name="timeframe"]').selectOption('1d');
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.getElementById('jobs-panel').dataset.status === 'done',
      null, { timeout: JOB_MS, polling: 100 });
    const state = await jobState();
    const seen = await page.evaluate(() => window.__gsProgress);
    check(state.follow === 'events', `followed by ${state.follow}, not the event stream`);
    check(state.value === state.max && state.max > 1, `final bar ${state.value} of ${state.max}`);
    const between = seen.filter(([v, m, s]) => v > 0 && v < m && s === 'running');
    check(between.length >= 1, `the bar never stood between 0 and done: ${JSON.stringify(seen.slice(0, 20))}`);
    for (let i = 1; i < seen.length; i++) check(seen[i][0] >= seen[i - 1][0], `the bar went back: ${seen[i - 1][0]} -> ${seen[i][0]}`);
    const job = await api('GET', `/v1/backtests/${state.id}`);
    check(job.status === 200 && job.json.status === 'done', `GET job -> ${job.status} ${job.json && job.json.status}`);
    check(state.max === job.json.progress.bars_total, `bar max ${state.max} != bars_total ${job.json.progress.bars_total}`);
    ranking = job.json.ranking;
    check(ranking.length === bigSymbols.length, `API ranks ${ranking.length}`);
    await page.locator('#job-ranking tbody tr').first().waitFor({ timeout: STEP_MS });
    sameRanking(await rankingShown(), ranking, 'done job');
    const failed = await page.locator('#job-failed li').allTextContents();
    check(failed.length === 1 && failed[0].startsWith(`NOSUCH${tag}: `), `failed list ${JSON.stringify(failed)}`);
    const tested = await page.evaluate(() => JSON.parse(document.querySelector('#job-aggregate tr[data-key="tested"] td').dataset.value));
    check(tested === job.json.aggregate.tested, `aggregate tested ${tested} != ${job.json.aggregate.tested}`);
    check(await page.locator('#job-cancel').isDisabled(), 'cancel is still enabled after done');
    await page.screenshot({ path: path.join(shotDir, 'backtest-job.png'), fullPage: true });
    return `${seen.length} progress updates, ${between.length} in between; #1 ${ranking[0].symbol} ${signedPct(ranking[0].total_return)}`;
  }, JOB_MS + STEP_MS);

  await step('a ranked symbol opens in the backtest view with the job\'s options', async () => {
    const target = ranking[0].symbol;
    await page.evaluate(() => { document.getElementById('backtest-panel').dataset.state = 'submitted'; });
    await page.locator(`#job-ranking tbody tr[data-symbol="${target}"] button`).click();
    await panelState('done');
    const r = await api('GET', `/v1/backtest/${target}?timeframe=1d`);
    const shown = await page.evaluate(() => JSON.parse(document.querySelector('#bt-summary tr[data-key="total_return"] td.num').dataset.value));
    check(shown === r.json.summary.total_return && shown === ranking[0].total_return,
      `total_return ${shown}, API ${r.json.summary.total_return}, ranking ${ranking[0].total_return}`);
    const points = (await polyline('strategy')).length;
    check(points === r.json.equity.length, `${points} points, API ${r.json.equity.length}`);
    return `${target}: ${points} points`;
  });

  await step('cancel: a running job stops, the page says cancelled and ranks what it tested', async () => {
    await watchProgress();
    const form = page.locator('#job-form');
    await form.locator('input[name="symbols"]').fill(bigSymbols.join(' '));
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => ['queued', 'running'].includes(document.getElementById('jobs-panel').dataset.status) &&
      !document.getElementById('job-cancel').disabled, null, { timeout: STEP_MS, polling: 20 });
    await page.locator('#job-cancel').click();
    await page.waitForFunction(() => document.getElementById('jobs-panel').dataset.status === 'cancelled',
      null, { timeout: JOB_MS, polling: 100 });
    const state = await jobState();
    const job = await api('GET', `/v1/backtests/${state.id}`);
    check(job.json.status === 'cancelled', `API status ${job.json.status}`);
    const p = job.json.progress;
    check(p.symbols_done < p.symbols_total, `the job finished all ${p.symbols_total} symbols before the cancel`);
    check(state.text.startsWith('cancelled:') && state.text.includes(`${p.symbols_done} of ${p.symbols_total} symbols`),
      `progress text "${state.text}"`);
    check(state.value === p.bars_done && state.value < state.max, `bar ${state.value} of ${state.max}, API ${p.bars_done} of ${p.bars_total}`);
    check(await page.locator('#job-cancel').isDisabled(), 'cancel is still enabled');
    await page.waitForFunction((n) => document.querySelectorAll('#job-ranking tbody tr').length === n &&
      !document.getElementById('job-result').hidden, job.json.ranking.length, { timeout: STEP_MS });
    sameRanking(await rankingShown(), job.json.ranking, 'cancelled job');
    return `cancelled after ${p.symbols_done} of ${p.symbols_total} symbols`;
  }, JOB_MS + STEP_MS);

  await step('SSE blocked and the first reads 404 (another instance): the page polls GET /v1/backtests/{id} and still reaches done', async () => {
    let blocked = 0;
    let missed = 0;
    await page.route('**/v1/backtests/*/events*', (route) => { blocked++; return route.abort('failed'); });
    // The first two reads of the job as if a balancer sent them to an instance without it.
    const jobRead = (url) => /^\/v1\/backtests\/[^/]+$/.test(url.pathname);
    await page.route(jobRead, (route) => {
      if (route.request().method() !== 'GET' || missed >= 2) return route.continue();
      missed++;
      return route.fulfill({ status: 404, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'unknown_backtest', message: 'no backtest job (test)' } }) });
    });
    allowedConsole = /ERR_FAILED|events|status of 404/;
    try {
      const form = page.locator('#job-form');
      await form.locator('input[name="symbols"]').fill(bigSymbols.slice(0, 3).join(','));
      await form.locator('button[type="submit"]').click();
      await page.waitForFunction(() => document.getElementById('jobs-panel').dataset.status === 'done',
        null, { timeout: JOB_MS, polling: 100 });
      const state = await jobState();
      check(blocked >= 1, 'the page never asked for the event stream');
      check(state.follow === 'polling', `followed by ${state.follow}`);
      check(state.value === state.max, `bar ${state.value} of ${state.max}`);
      const job = await api('GET', `/v1/backtests/${state.id}`);
      await page.waitForFunction((n) => document.querySelectorAll('#job-ranking tbody tr').length === n,
        job.json.ranking.length, { timeout: STEP_MS });
      sameRanking(await rankingShown(), job.json.ranking, 'polled job');
      check(missed === 2, `${missed} reads answered 404`);
      check(await page.locator('#job-error').isHidden(), 'an error is still shown after the job was read');
      return `${blocked} stream request(s) refused, ${missed} reads 404; done by polling`;
    } finally {
      await page.unroute('**/v1/backtests/*/events*');
      await page.unroute(jobRead);
    }
  }, JOB_MS + STEP_MS);

  await step('a job with no symbol is refused by the page; one the API refuses shows the API\'s reason', async () => {
    const form = page.locator('#job-form');
    await form.locator('input[name="symbols"]').fill(' , ');
    await form.locator('button[type="submit"]').click();
    const local = await page.locator('#job-error').textContent();
    check(/at least one symbol/.test(local) && await page.locator('#job-error').isVisible(), `error "${local}"`);
    const bad = await api('POST', '/v1/backtests', { symbols: ['B@D'], timeframe: '1d', horizon: 1, fee_bps: 0, mode: 'long_short' });
    check(bad.status === 400, `API answered ${bad.status} for B@D`);
    allowedConsole = /status of 400/;
    await form.locator('input[name="symbols"]').fill('B@D');
    await form.locator('button[type="submit"]').click();
    const want = `400 ${bad.json.error.code}: ${bad.json.error.message}`;
    await page.waitForFunction((m) => document.getElementById('job-error').textContent.includes(m), want, { timeout: STEP_MS });
    return `"${await page.locator('#job-error').textContent()}"`;
  });

  await step('#read_token= reaches the backtest and job routes as Bearer and the job\'s stream as ?access_token=', async () => {
    const second = await context.newPage();
    const seen = [];
    second.on('request', (request) => seen.push({ url: request.url(), method: request.method(),
      auth: request.headers().authorization || '' }));
    second.on('pageerror', (err) => consoleErrors.push(`uncaught (second page): ${err.message}`));
    try {
      await second.goto(`${base}/#read_token=rt-bt-1`, { timeout: STEP_MS });
      await second.locator('#backtest-form input[name="symbol"]').fill(single);
      await second.locator('#backtest-form button[type="submit"]').click();
      await second.waitForFunction(() => document.getElementById('backtest-panel').dataset.state === 'done', null, { timeout: STEP_MS });
      await second.locator('#job-form input[name="symbols"]').fill(bigSymbols[0]);
      await second.locator('#job-form button[type="submit"]').click();
      await second.waitForFunction(() => document.getElementById('jobs-panel').dataset.status === 'done', null, { timeout: JOB_MS });
      const path = (r) => new URL(r.url).pathname;
      const rest = seen.filter((r) => /^\/v1\/(backtest\/|backtests$|backtests\/[^/]+$|bars\/)/.test(path(r)));
      for (const want of [`/v1/backtest/${single}`, `/v1/bars/${single}`, '/v1/backtests']) {
        check(rest.some((r) => path(r) === want), `no request to ${want}`);
      }
      const bad = rest.filter((r) => r.auth !== 'Bearer rt-bt-1');
      check(bad.length === 0, `without the Bearer token: ${bad.map((r) => `${r.method} ${r.url}`).join(', ')}`);
      const stream = seen.find((r) => /\/v1\/backtests\/[^/]+\/events$/.test(path(r)));
      check(stream && new URL(stream.url).searchParams.get('access_token') === 'rt-bt-1',
        `job stream ${stream && stream.url} lacks access_token=rt-bt-1`);
      return `${rest.length} REST requests with the Bearer token, stream with access_token`;
    } finally {
      await second.close();
    }
  }, JOB_MS + STEP_MS);

  await step('narrow screen (390 px): no page-wide horizontal overflow with the backtest views open', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const sizes = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    check(sizes.scroll <= sizes.inner, `page is ${sizes.scroll} px wide in a ${sizes.inner} px window`);
    await page.screenshot({ path: path.join(shotDir, 'backtest-narrow.png'), fullPage: true });
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
console.log(failed ? 'backtest browser test FAILED' : 'backtest browser test passed');
process.exit(failed ? 1 : 0);
