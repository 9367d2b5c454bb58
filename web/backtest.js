// GoldenSignals dashboard, backtests (issue 13; docs/backtest.md):
// - one symbol: GET /v1/backtest/{symbol} drawn as the strategy's equity against buy and hold
//   (closes from GET /v1/bars), the summary and by-action tables, per-agent hit rates as bars;
// - a universe job: POST /v1/backtests, progress from GET /v1/backtests/{id}/events (SSE; polls
//   GET /v1/backtests/{id} when the stream fails), DELETE to cancel, the ranking when finished.
// Plain DOM and SVG. Every server string goes in through text nodes or attributes, never HTML.
'use strict';

(() => {
  const gs = window.gsDashboard;
  if (!gs) return; // app.js failed to load; it logs why
  const { el, isNum, fmtTime, timeEl, actionBadge, niceStep, authHeaders, readToken } = gs;
  const byId = (id) => document.getElementById(id);
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const POLL_MS = 1000;
  const JOB_MISSES = 10; // 404s in a row before a polled job is given up

  // ---- helpers --------------------------------------------------------------------------

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    node.append(...children); // strings become text nodes
    return node;
  }

  // An API call; a non-2xx answer throws with the status and the JSON error's code and message.
  async function api(method, url, body) {
    const headers = { Accept: 'application/json', ...authHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = response.statusText;
      try {
        const answer = await response.json();
        if (answer && answer.error) detail = `${answer.error.code}: ${answer.error.message}`;
      } catch (_) { /* not JSON */ }
      throw new Error(`${response.status} ${detail}`);
    }
    return response.json();
  }

  const pct = (x, digits = 2) => (isNum(x) ? `${(x * 100).toFixed(digits)} %` : '–');
  const signedPct = (x, digits = 2) => (isNum(x) ? `${x > 0 ? '+' : ''}${(x * 100).toFixed(digits)} %` : '–');
  const fixed = (x, digits = 2) => (isNum(x) ? x.toFixed(digits) : '–');
  const count = (x) => (isNum(x) ? x.toLocaleString('en-US') : '–');

  // A number cell carrying the API's value (data-value, JSON) next to its text.
  function numCell(value, text, extra) {
    return el('td', { class: `num${extra ? ` ${extra}` : ''}`, 'data-value': JSON.stringify(value ?? null) }, text);
  }

  function showError(id, err) {
    const box = byId(id);
    if (err) {
      box.textContent = String(err.message || err);
      box.hidden = false;
    } else {
      box.textContent = '';
      box.hidden = true;
    }
  }

  // "2024-03-01" from a date input -> the start or end of that UTC day.
  function dayBound(value, end) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
    return `${value}T${end ? '23:59:59' : '00:00:00'}Z`;
  }

  function optionsFrom(form) {
    const data = new FormData(form);
    return {
      timeframe: String(data.get('timeframe') || '1d'),
      horizon: Number(data.get('horizon') || 1),
      fee_bps: Number(data.get('fee_bps') || 0),
      mode: String(data.get('mode') || 'long_short'),
    };
  }

  for (const form of [byId('backtest-form'), byId('job-form')]) {
    form.elements.timeframe.value = gs.timeframe;
    if (!form.elements.timeframe.value) form.elements.timeframe.value = '1d';
  }

  // Symbols held, for the symbol field's suggestions.
  async function loadSymbolList() {
    const tf = byId('backtest-form').elements.timeframe.value;
    try {
      const body = await api('GET', `/v1/symbols?timeframe=${encodeURIComponent(tf)}&limit=1000`);
      const options = (body.symbols || []).filter((s) => s && typeof s.symbol === 'string')
        .map((s) => el('option', { value: s.symbol }));
      byId('backtest-symbols').replaceChildren(...options);
    } catch (err) {
      console.warn('symbol list:', err.message);
    }
  }

  // ---- one symbol -----------------------------------------------------------------------

  const SUMMARY = [
    ['total_return', 'Total return', 'pct', '% (final equity − 1)'],
    ['buy_and_hold_return', 'Buy and hold return', 'pct', '% (last close / first close − 1)'],
    ['cagr', 'CAGR', 'pct', '% per year'],
    ['sharpe', 'Sharpe ratio', 'ratio', 'annualised, risk-free rate 0'],
    ['sortino', 'Sortino ratio', 'ratio', 'annualised'],
    ['max_drawdown', 'Max drawdown', 'pct', '% below the running peak'],
    ['hit_rate', 'Hit rate', 'pct', '% of BUY and SELL calls'],
    ['trades', 'Trades', 'count', 'position changes'],
    ['exposure', 'Exposure', 'pct', '% of periods in a position'],
    ['turnover', 'Turnover', 'units', 'units of position traded'],
  ];

  function formatFigure(kind, value) {
    if (kind === 'pct') return pct(value);
    if (kind === 'ratio') return fixed(value, 2);
    if (kind === 'count') return count(value);
    return fixed(value, 1);
  }

  let runGeneration = 0;
  let lastRun = null; // { report, bench } for redraws on resize

  async function runBacktest(params) {
    const generation = ++runGeneration;
    const { symbol } = params;
    const query = new URLSearchParams({
      timeframe: params.timeframe, horizon: String(params.horizon),
      fee_bps: String(params.fee_bps), mode: params.mode,
    });
    if (params.from) query.set('from', params.from);
    if (params.to) query.set('to', params.to);
    showError('backtest-error', null);
    byId('backtest-status').textContent = `Running the backtest of ${symbol}…`;
    byId('backtest-panel').dataset.state = 'loading';
    try {
      const report = await api('GET', `/v1/backtest/${encodeURIComponent(symbol)}?${query}`);
      if (generation !== runGeneration) return;
      const bench = await buyAndHold(report);
      if (generation !== runGeneration) return;
      renderReport(report, bench);
      lastRun = { report, bench };
      byId('backtest-status').textContent = '';
      byId('backtest-panel').dataset.state = 'done';
    } catch (err) {
      if (generation !== runGeneration) return;
      byId('backtest-status').textContent = '';
      showError('backtest-error', new Error(`Backtest of ${symbol} failed: ${err.message}`));
      byId('backtest-result').hidden = true;
      lastRun = null;
      byId('backtest-panel').dataset.state = 'error';
    }
  }

  // Buy and hold at each equity point: close[t] / close[first scored bar]. The closes come from
  // GET /v1/bars, which answers the last `limit` bars; a `to` before the last bar held needs
  // more of them, so one retry asks for the route's maximum.
  async function buyAndHold(report) {
    const equity = Array.isArray(report.equity) ? report.equity : [];
    if (equity.length === 0) return { points: [], missing: 0 };
    const first = Date.parse(equity[0][0]);
    const url = (limit) => `/v1/bars/${encodeURIComponent(report.symbol)}?timeframe=` +
      `${encodeURIComponent(report.timeframe)}&limit=${limit}`;
    const want = Math.min(100000, (report.bars || 0) + (report.skipped || 0) + 256);
    let bars = (await api('GET', url(want))).bars || [];
    if (bars.length === want && bars.length && Date.parse(bars[0].time) > first && want < 100000) {
      bars = (await api('GET', url(100000))).bars || [];
    }
    const close = new Map(bars.map((b) => [Date.parse(b.time), b.close]));
    const base = close.get(first);
    const points = [];
    let missing = 0;
    for (const [time] of equity) {
      const c = close.get(Date.parse(time));
      if (isNum(base) && base !== 0 && isNum(c)) points.push([time, c / base]);
      else missing++;
    }
    return { points, missing };
  }

  function renderReport(report, bench) {
    byId('backtest-result').hidden = false;
    const mode = report.mode === 'long_only' ? 'long only' : 'long/short';
    byId('backtest-meta').replaceChildren(
      el('strong', {}, String(report.symbol)), ` · ${report.timeframe} · `,
      report.from ? timeEl(report.from) : '–', ' to ', report.to ? timeEl(report.to) : '–',
      ` · ${count(report.bars)} bars scored, ${count(report.skipped)} skipped (agents warming up)` +
      ` · horizon ${report.horizon} · fee ${report.fee_bps} bps · ${mode}` +
      ` · ${report.periods_per_year} periods per year`);
    renderSummary(report.summary || {});
    renderByAction(report);
    renderAgents(report);
    drawEquity(report, bench);
  }

  function renderSummary(summary) {
    byId('bt-summary').tBodies[0].replaceChildren(...SUMMARY.map(([key, label, kind, unit]) =>
      el('tr', { 'data-key': key },
        el('th', { scope: 'row' }, label),
        numCell(summary[key], formatFigure(kind, summary[key])),
        el('td', { class: 'muted' }, unit))));
  }

  function renderByAction(report) {
    byId('bt-fwd-heading').textContent = `Avg forward return (${report.horizon} bar${report.horizon === 1 ? '' : 's'})`;
    const rows = ['BUY', 'SELL', 'HOLD'].map((action) => {
      const f = (report.by_action || {})[action] || {};
      return el('tr', { 'data-action': action },
        el('th', { scope: 'row' }, actionBadge(action)),
        numCell(f.count, count(f.count)),
        numCell(f.hit_rate, pct(f.hit_rate)),
        numCell(f.avg_forward_return, signedPct(f.avg_forward_return, 3)));
    });
    byId('bt-by-action').tBodies[0].replaceChildren(...rows);
  }

  function trackCells(f) {
    return [numCell(f.signals, count(f.signals)), numCell(f.hit_rate, pct(f.hit_rate, 1)),
      numCell(f.avg_forward_return, signedPct(f.avg_forward_return, 3)), numCell(f.ic, fixed(f.ic, 3))];
  }

  function renderAgents(report) {
    const agents = (Array.isArray(report.agents) ? report.agents : [])
      .filter((a) => a && typeof a.name === 'string');
    const categories = Object.entries(report.categories || {});
    byId('bt-categories').tBodies[0].replaceChildren(...categories.map(([name, f]) =>
      el('tr', { 'data-category': name }, el('th', { scope: 'row' }, name), ...trackCells(f || {}))));
    byId('bt-agent-table').tBodies[0].replaceChildren(...agents.map((a) =>
      el('tr', { 'data-agent': a.name }, el('th', { scope: 'row' }, a.name),
        el('td', {}, String(a.category ?? '')), ...trackCells(a))));

    // A bar per agent that made a call (BUY or SELL with a known forward return), best first.
    const scored = agents.filter((a) => isNum(a.signals) && a.signals > 0 && isNum(a.hit_rate))
      .sort((a, b) => b.hit_rate - a.hit_rate || b.signals - a.signals || (a.name < b.name ? -1 : 1));
    const silent = agents.filter((a) => !scored.includes(a)).map((a) => a.name);
    byId('bt-agents-count').textContent = `(${scored.length} of ${agents.length} agents made calls)`;
    byId('bt-agents-caption').textContent = silent.length
      ? `No bar for ${silent.length} agent${silent.length === 1 ? '' : 's'} without a scored BUY ` +
        `or SELL call over these bars: ${silent.join(', ')}.`
      : '';
    drawHitRates(scored, report);
  }

  function chartWidth(node) {
    return Math.max(320, Math.floor(node.parentElement.clientWidth || 0));
  }

  function drawEquity(report, bench) {
    const node = byId('bt-equity');
    const strategy = (report.equity || []).filter((p) => Array.isArray(p) && isNum(p[1]));
    const width = chartWidth(node);
    const height = Math.max(220, Math.min(380, Math.round(width * 0.4)));
    node.setAttribute('viewBox', `0 0 ${width} ${height}`);
    node.setAttribute('width', width);
    node.setAttribute('height', height);
    if (strategy.length === 0) {
      node.replaceChildren(svg('text', { x: 12, y: 24, class: 'axis-text' }, 'No scored bar in this range'));
      node.setAttribute('aria-label', `${report.symbol}: no scored bar, no equity curve`);
      return;
    }
    const pad = { left: 52, right: 16, top: 12, bottom: 28 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    // x by time, so both series share the axis even if one lacks a point.
    const t0 = Date.parse(strategy[0][0]);
    const t1 = Date.parse(strategy[strategy.length - 1][0]);
    const span = t1 > t0 ? t1 - t0 : 1;
    let lo = 1;
    let hi = 1;
    for (const [, v] of [...strategy, ...bench.points]) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (hi === lo) { hi += 0.05; lo -= 0.05; }
    const margin = (hi - lo) * 0.05;
    lo -= margin;
    hi += margin;
    const xOf = (time) => pad.left + (t1 > t0 ? ((Date.parse(time) - t0) / span) * plotW : plotW / 2);
    const yOf = (v) => pad.top + ((hi - v) / (hi - lo)) * plotH;
    const round = (x) => Math.round(x * 100) / 100;
    const points = (series) => series.map(([t, v]) => `${round(xOf(t))},${round(yOf(v))}`).join(' ');

    const grid = svg('g', { class: 'grid' });
    const step = niceStep(hi - lo, Math.max(2, Math.floor(plotH / 45)));
    const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step))));
    for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
      const y = round(yOf(v));
      grid.append(svg('line', { x1: pad.left, x2: pad.left + plotW, y1: y, y2: y }),
        svg('text', { x: pad.left - 6, y, class: 'axis-text', 'text-anchor': 'end', 'dominant-baseline': 'middle' },
          v.toFixed(decimals)));
    }
    const ticks = Math.max(2, Math.min(strategy.length, Math.floor(plotW / 120)));
    for (let k = 0; k < ticks; k++) {
      const i = Math.round(((strategy.length - 1) * (k + 0.5)) / ticks);
      const x = round(xOf(strategy[i][0]));
      grid.append(svg('line', { x1: x, x2: x, y1: pad.top, y2: pad.top + plotH }),
        svg('text', { x, y: pad.top + plotH + 16, class: 'axis-text', 'text-anchor': 'middle' },
          fmtTime(strategy[i][0])));
    }
    const start = round(yOf(1));
    const children = [
      grid,
      svg('rect', { x: pad.left, y: pad.top, width: plotW, height: plotH, class: 'frame' }),
      svg('line', { x1: pad.left, x2: pad.left + plotW, y1: start, y2: start, class: 'baseline' }),
    ];
    if (bench.points.length) {
      children.push(svg('polyline', { class: 'series bh', 'data-series': 'buy_and_hold',
        'data-points': bench.points.length, points: points(bench.points) }));
    }
    children.push(svg('polyline', { class: 'series strategy', 'data-series': 'strategy',
      'data-points': strategy.length, points: points(strategy) }));
    node.replaceChildren(...children);

    const last = strategy[strategy.length - 1][1];
    const bhLast = bench.points.length ? bench.points[bench.points.length - 1][1] : null;
    node.setAttribute('aria-label',
      `${report.symbol} ${report.timeframe} equity from ${fmtTime(strategy[0][0])} to ` +
      `${fmtTime(strategy[strategy.length - 1][0])}: strategy ${signedPct(last - 1)}, ` +
      (bhLast === null ? 'buy and hold unavailable' : `buy and hold ${signedPct(bhLast - 1)}`) +
      ` (${strategy.length} points)`);
    if (bench.missing) {
      byId('backtest-status').textContent =
        `Buy and hold lacks ${bench.missing} of ${strategy.length} points (bars not readable).`;
    }
  }

  function drawHitRates(scored, report) {
    const node = byId('bt-agents');
    const width = chartWidth(node);
    const row = 18;
    // Room for the names and the figures, less of it on a narrow screen (names then shorten;
    // each bar's tooltip keeps the full name).
    const pad = { left: Math.min(190, Math.round(width * 0.36)), right: Math.min(96, Math.round(width * 0.24)), top: 22, bottom: 8 };
    const nameChars = Math.max(6, Math.floor((pad.left - 8) / 6.3));
    const shortName = (name) => (name.length > nameChars ? `${name.slice(0, nameChars - 1)}…` : name);
    const height = pad.top + pad.bottom + Math.max(1, scored.length) * row;
    node.setAttribute('viewBox', `0 0 ${width} ${height}`);
    node.setAttribute('width', width);
    node.setAttribute('height', height);
    if (scored.length === 0) {
      node.replaceChildren(svg('text', { x: 12, y: 30, class: 'axis-text' }, 'No agent made a scored call'));
      node.setAttribute('aria-label', `${report.symbol}: no agent made a scored BUY or SELL call`);
      return;
    }
    const plotW = width - pad.left - pad.right;
    const xOf = (rate) => pad.left + rate * plotW;
    const axis = svg('g', { class: 'grid' });
    for (const rate of [0, 0.25, 0.75, 1]) {
      const x = Math.round(xOf(rate)) + 0.5;
      axis.append(svg('line', { x1: x, x2: x, y1: pad.top - 4, y2: height - pad.bottom }),
        svg('text', { x, y: pad.top - 8, class: 'axis-text', 'text-anchor': 'middle' }, `${rate * 100} %`));
    }
    const bars = svg('g', { class: 'bars' });
    scored.forEach((a, i) => {
      const y = pad.top + i * row;
      const label = `${a.name} (${a.category}): ${pct(a.hit_rate, 1)} of ${a.signals} calls`;
      bars.append(
        svg('text', { x: pad.left - 6, y: y + row / 2, class: 'axis-text name', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, shortName(a.name)),
        svg('rect', { x: pad.left, y: y + 2, width: Math.max(0.5, a.hit_rate * plotW).toFixed(1), height: row - 4,
          class: `bar ${a.hit_rate > 0.5 ? 'above' : a.hit_rate < 0.5 ? 'below' : 'even'}`,
          'data-agent': a.name, 'data-value': JSON.stringify(a.hit_rate), 'data-signals': a.signals },
        svg('title', {}, label)),
        svg('text', { x: xOf(1) + 6, y: y + row / 2, class: 'axis-text', 'dominant-baseline': 'middle' },
          `${pct(a.hit_rate, 1)} (${a.signals})`));
    });
    const half = Math.round(xOf(0.5)) + 0.5;
    const fifty = svg('g', { class: 'fifty', 'data-line': '50' },
      svg('line', { x1: half, x2: half, y1: pad.top - 4, y2: height - pad.bottom }),
      svg('text', { x: half, y: pad.top - 8, class: 'axis-text', 'text-anchor': 'middle' }, '50 %'));
    node.replaceChildren(axis, bars, fifty);
    node.setAttribute('aria-label',
      `Hit rate of each of ${scored.length} agents with calls, best first: ` +
      scored.slice(0, 5).map((a) => `${a.name} ${pct(a.hit_rate, 1)}`).join(', ') +
      (scored.length > 5 ? ', …' : '') + '; the line marks 50 %');
  }

  byId('backtest-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const symbol = String(new FormData(form).get('symbol') || '').trim().toUpperCase();
    if (!symbol) return;
    form.elements.symbol.value = symbol;
    runBacktest({
      symbol, ...optionsFrom(form),
      from: dayBound(form.elements.from.value, false),
      to: dayBound(form.elements.to.value, true),
    });
  });
  byId('backtest-form').elements.timeframe.addEventListener('change', loadSymbolList);

  // Redraw the charts when the panel's width changes (its height changes with every result).
  let resizeFrame = 0;
  let drawnWidth = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => {
      const width = byId('backtest-panel').clientWidth;
      if (width === drawnWidth) return;
      drawnWidth = width;
      if (!lastRun || byId('backtest-result').hidden) return;
      drawEquity(lastRun.report, lastRun.bench);
      renderAgents(lastRun.report);
    });
  }).observe(byId('backtest-panel'));

  // ---- universe jobs --------------------------------------------------------------------

  let job = null; // { id, options, source, pollTimer, finished }
  const jobForm = byId('job-form');
  const FINISHED = new Set(['done', 'cancelled', 'failed']);

  function stopFollowing(j) {
    if (!j) return;
    if (j.source) j.source.close();
    j.source = null;
    clearTimeout(j.pollTimer);
  }

  function renderProgress(state) {
    const p = state.progress || {};
    const bar = byId('job-progress');
    const total = isNum(p.bars_total) && p.bars_total > 0 ? p.bars_total : p.symbols_total;
    const done = isNum(p.bars_total) && p.bars_total > 0 ? p.bars_done : p.symbols_done;
    const status = String(state.status || 'unknown');
    bar.max = isNum(total) && total > 0 ? total : 1;
    bar.value = status === 'done' ? bar.max : Math.min(isNum(done) ? done : 0, bar.max);
    const share = bar.max > 0 ? Math.round((100 * bar.value) / bar.max) : 0;
    let text = `${status}: ${count(p.symbols_done)} of ${count(p.symbols_total)} symbols, ` +
      `${count(p.bars_done)} of ${count(p.bars_total)} bars (${share} %)`;
    if (status === 'running' && isNum(p.eta_seconds)) text += `, about ${Math.ceil(p.eta_seconds)} s left`;
    if (status === 'failed' && state.error) text += ` — ${state.error}`;
    bar.setAttribute('aria-valuetext', text);
    byId('job-progress-text').textContent = text;
    byId('jobs-panel').dataset.status = status;
    byId('job-cancel').disabled = FINISHED.has(status);
  }

  function renderJobResults(state) {
    const results = new Map((state.results || []).filter((r) => r && typeof r.symbol === 'string')
      .map((r) => [r.symbol, r]));
    const a = state.aggregate || {};
    const figures = [
      ['tested', 'Symbols tested', count(a.tested)],
      ['failed', 'Symbols failed', count(a.failed)],
      ['positive', 'With a positive return', count(a.positive)],
      ['beat_buy_and_hold', 'Beat buy and hold', count(a.beat_buy_and_hold)],
      ['mean_total_return', 'Mean total return', pct(a.mean_total_return)],
      ['median_total_return', 'Median total return', pct(a.median_total_return)],
      ['mean_buy_and_hold_return', 'Mean buy and hold return', pct(a.mean_buy_and_hold_return)],
      ['mean_sharpe', 'Mean Sharpe ratio (annualised)', fixed(a.mean_sharpe)],
      ['mean_max_drawdown', 'Mean max drawdown', pct(a.mean_max_drawdown)],
      ['hit_rate', 'Hit rate, pooled over every call', pct(a.hit_rate)],
      ['calls', 'Calls (BUY and SELL scored)', count(a.calls)],
      ['trades', 'Trades', count(a.trades)],
    ];
    byId('job-aggregate').tBodies[0].replaceChildren(...figures.map(([key, label, text]) =>
      el('tr', { 'data-key': key }, el('th', { scope: 'row' }, label), numCell(a[key], text))));
    const ranking = (state.ranking || []).filter((r) => r && typeof r.symbol === 'string');
    byId('job-ranking').tBodies[0].replaceChildren(...ranking.map((r) => {
      const s = (results.get(r.symbol) || {}).summary || {};
      return el('tr', { 'data-symbol': r.symbol },
        numCell(r.rank, count(r.rank)),
        el('th', { scope: 'row' }, el('button', { type: 'button', class: 'sym', 'aria-controls': 'backtest-panel' }, r.symbol)),
        numCell(r.total_return, signedPct(r.total_return)),
        numCell(s.buy_and_hold_return, signedPct(s.buy_and_hold_return)),
        numCell(r.sharpe, fixed(r.sharpe)),
        numCell(s.max_drawdown, pct(s.max_drawdown)),
        numCell(r.hit_rate, pct(r.hit_rate, 1)),
        numCell(s.trades, count(s.trades)));
    }));
    const failed = [...results.values()].filter((r) => typeof r.error === 'string');
    byId('job-failed').replaceChildren(...failed.map((r) =>
      el('li', { 'data-symbol': r.symbol }, `${r.symbol}: ${r.error}`)));
    byId('job-result').hidden = false;
  }

  async function finishJob(j) {
    if (j.finished) return;
    j.finished = true;
    stopFollowing(j);
    for (let attempt = 1; ; attempt++) {
      try {
        const state = await api('GET', `/v1/backtests/${encodeURIComponent(j.id)}`);
        if (job !== j) return;
        showError('job-error', null);
        renderProgress(state);
        renderJobResults(state);
        return;
      } catch (err) {
        if (job !== j) return;
        // A 404 may come from another instance than the job's (see pollJob): try again.
        if (!/^404 /.test(err.message) || attempt >= JOB_MISSES) {
          showError('job-error', new Error(`Could not read the job's results: ${err.message}`));
          return;
        }
        await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
      }
    }
  }

  function pollJob(j) {
    clearTimeout(j.pollTimer);
    j.pollTimer = setTimeout(async () => {
      if (job !== j || j.finished) return;
      try {
        const state = await api('GET', `/v1/backtests/${encodeURIComponent(j.id)}`);
        if (job !== j || j.finished) return;
        j.misses = 0;
        showError('job-error', null);
        renderProgress(state);
        if (FINISHED.has(state.status)) {
          finishJob(j);
          return;
        }
      } catch (err) {
        if (job !== j) return;
        // A job lives in the instance that accepted it: behind a balancer without sticky
        // sessions a read may reach another one (404), so a few misses are tolerated.
        const missing = /^404 /.test(err.message);
        j.misses = missing ? (j.misses || 0) + 1 : 0;
        if (missing && j.misses >= JOB_MISSES) {
          showError('job-error', new Error(`Lost the job: ${err.message} (expired, or held by ` +
            'another instance behind the load balancer)'));
          return;
        }
        if (!missing) showError('job-error', new Error(`Reading the job failed, retrying: ${err.message}`));
      }
      pollJob(j);
    }, POLL_MS);
  }

  // Progress from the job's event stream; if it fails (a proxy that buffers, a stream cap),
  // poll the job instead.
  function followJob(j) {
    if (typeof EventSource !== 'function') {
      j.mode = 'polling';
      pollJob(j);
      return;
    }
    const query = readToken ? `?${new URLSearchParams({ access_token: readToken })}` : '';
    const source = new EventSource(`/v1/backtests/${encodeURIComponent(j.id)}/events${query}`);
    j.source = source;
    j.mode = 'events';
    const onState = (event) => {
      if (job !== j || j.finished) return;
      try {
        renderProgress(JSON.parse(event.data));
      } catch (err) {
        console.warn('bad progress event:', err.message);
      }
    };
    source.addEventListener('progress', onState);
    source.addEventListener('done', (event) => {
      onState(event);
      finishJob(j);
    });
    source.addEventListener('error', () => {
      if (job !== j || j.finished || j.source !== source) return;
      source.close();
      j.source = null;
      j.mode = 'polling';
      byId('jobs-panel').dataset.follow = 'polling';
      pollJob(j);
    });
    byId('jobs-panel').dataset.follow = 'events';
  }

  function parseSymbols(text) {
    return [...new Set(String(text).toUpperCase().split(/[\s,;]+/).filter(Boolean))];
  }

  jobForm.elements.all.addEventListener('change', () => {
    jobForm.elements.symbols.disabled = jobForm.elements.all.checked;
  });

  jobForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('job-error', null);
    const options = optionsFrom(jobForm);
    const symbols = jobForm.elements.all.checked ? '*' : parseSymbols(jobForm.elements.symbols.value);
    if (symbols !== '*' && symbols.length === 0) {
      showError('job-error', new Error('Name at least one symbol, or choose every symbol held.'));
      return;
    }
    const submit = jobForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const state = await api('POST', '/v1/backtests', { symbols, ...options });
      stopFollowing(job);
      job = { id: String(state.id), options, source: null, pollTimer: null, finished: false };
      byId('jobs-panel').dataset.job = job.id;
      byId('job-result').hidden = true;
      renderProgress(state);
      if (FINISHED.has(state.status)) finishJob(job);
      else followJob(job);
    } catch (err) {
      showError('job-error', new Error(`Could not start the job: ${err.message}`));
    } finally {
      submit.disabled = false;
    }
  });

  byId('job-cancel').addEventListener('click', async () => {
    const j = job;
    if (!j || j.finished) return;
    byId('job-cancel').disabled = true;
    try {
      const state = await api('DELETE', `/v1/backtests/${encodeURIComponent(j.id)}`);
      if (job !== j || j.finished) return;
      renderProgress(state);
      // A running job stops after its current symbol; the stream (or the poll) says when.
      if (FINISHED.has(state.status)) finishJob(j);
    } catch (err) {
      showError('job-error', new Error(`Could not cancel: ${err.message}`));
      byId('job-cancel').disabled = false;
    }
  });

  // A ranked symbol opens in the single-symbol view with the job's options.
  byId('job-ranking').addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-symbol]');
    if (!tr || !event.target.closest('button') || !job) return;
    const form = byId('backtest-form');
    const { options } = job;
    form.elements.symbol.value = tr.dataset.symbol;
    form.elements.timeframe.value = options.timeframe;
    form.elements.horizon.value = String(options.horizon);
    form.elements.fee_bps.value = String(options.fee_bps);
    form.elements.mode.value = options.mode;
    form.elements.from.value = '';
    form.elements.to.value = '';
    byId('backtest-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
    runBacktest({ symbol: tr.dataset.symbol, ...options, from: null, to: null });
  });

  loadSymbolList();
})();
