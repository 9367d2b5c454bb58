// GoldenSignals dashboard: the universe (every symbol held, GET /v1/scan + /v1/symbols, sortable
// and filterable), a live table driven by GET /v1/stream (snapshot + live events), an agent
// breakdown and a canvas price chart for the selected symbol. No dependencies.
// Every server string goes into the page through textContent or attributes, never as HTML.
'use strict';

(() => {
  // Options in the URL hash: #symbols=AAPL,MSFT&timeframe=1h&read_token=...
  // read_token: the server's read token (GS_READ_TOKEN), when it has one. A hash never reaches
  // the server; REST calls send the token as Authorization: Bearer, the stream as
  // ?access_token= (EventSource cannot send headers), which proxies may log. So it is the read
  // token only: the server refuses the write token (GS_API_TOKEN) in a URL.
  const hash = new URLSearchParams(location.hash.slice(1));
  const timeframe = hash.get('timeframe') || '1d';
  const subscribed = (hash.get('symbols') || '*').toUpperCase();
  const readToken = hash.get('read_token');
  if (hash.has('token')) {
    // An old link with the write token: never send it, and take it out of the address bar.
    hash.delete('token');
    history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
    console.warn('#token= is ignored: the dashboard reads with #read_token= (the read token)');
  }
  const authHeaders = readToken ? { Authorization: `Bearer ${readToken}` } : {};

  const BAR_LIMIT = 250;
  const byId = (id) => document.getElementById(id);
  const tbody = document.querySelector('#signals tbody');
  const rows = new Map(); // symbol -> { tr, cells, signal }
  let selected = null;

  // ---- small helpers ------------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'class') node.className = value;
      else node.setAttribute(key, value);
    }
    node.append(...children); // strings become text nodes
    return node;
  }

  const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
  const fmtScore = (x) => (isNum(x) ? (x > 0 ? '+' : '') + x.toFixed(3) : '–');
  const fmtPct = (x) => (isNum(x) ? `${Math.round(x * 100)}%` : '–');

  // "2024-03-01T00:00:00Z" -> "2024-03-01"; intraday -> "2024-03-01 14:30Z".
  function fmtTime(iso) {
    if (typeof iso !== 'string' || iso.length < 10) return '–';
    if (/T00:00:00(\.0+)?Z$/.test(iso)) return iso.slice(0, 10);
    return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
  }

  function timeEl(iso, text) {
    return el('time', { datetime: String(iso) }, text ?? fmtTime(iso));
  }

  function actionBadge(action) {
    const name = String(action || 'ABSTAIN').toUpperCase();
    const known = ['BUY', 'SELL', 'HOLD', 'ABSTAIN'].includes(name) ? name : 'ABSTAIN';
    return el('span', { class: `badge action-${known.toLowerCase()}` }, name);
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json', ...authHeaders } });
    if (!response.ok) {
      let detail = response.statusText;
      try {
        const body = await response.json();
        if (body && body.error) detail = `${body.error.code}: ${body.error.message}`;
      } catch (_) { /* not JSON */ }
      throw new Error(`${response.status} ${detail}`);
    }
    return response.json();
  }

  // ---- connection status ----------------------------------------------------------------

  const STATUS_TEXT = {
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
    disconnected: 'Disconnected',
  };

  function setStatus(state, extra) {
    const box = byId('conn-status');
    const text = STATUS_TEXT[state] + (extra ? ` — ${extra}` : '');
    box.dataset.state = state;
    if (byId('conn-text').textContent !== text) byId('conn-text').textContent = text;
  }

  // ---- the table ------------------------------------------------------------------------

  function createRow(symbol) {
    const button = el('button', { type: 'button', class: 'sym', 'aria-controls': 'detail' }, symbol);
    const cells = {
      action: el('td'),
      strength: el('td'),
      score: el('td', { class: 'num' }),
      confidence: el('td', { class: 'num' }),
      votes: el('td', { class: 'num opt' }),
      as_of: el('td'),
      updated: el('td', { class: 'opt' }),
    };
    for (const [name, td] of Object.entries(cells)) td.dataset.field = name;
    const tr = el('tr', { 'data-symbol': symbol }, el('th', { scope: 'row' }, button),
      ...Object.values(cells));
    tr.addEventListener('animationend', () => tr.classList.remove('flash'));

    // Keep rows sorted by symbol.
    let before = null;
    for (const [other, row] of rows) {
      if (other > symbol && (!before || other < before.dataset.symbol)) before = row.tr;
    }
    tbody.insertBefore(tr, before);
    const row = { tr, cells, signal: null, button };
    rows.set(symbol, row);
    byId('empty').hidden = true;
    if (symbol === selected) markSelected();
    return row;
  }

  function setCell(td, key, ...content) {
    if (td.dataset.key === key) return false;
    td.dataset.key = key;
    td.replaceChildren(...content);
    return true;
  }

  function upsert(signal) {
    if (!signal || typeof signal.symbol !== 'string') return;
    if (signal.timeframe && signal.timeframe !== timeframe) return;
    const symbol = signal.symbol;
    const existing = rows.get(symbol);
    // A snapshot may repeat a signal we already have, or an older one: keep the newest.
    if (existing && existing.signal &&
        Date.parse(signal.computed_at) < Date.parse(existing.signal.computed_at)) return;
    const row = existing || createRow(symbol);
    const fresh = !row.signal;
    const recomputed = !fresh && row.signal.computed_at !== signal.computed_at;
    const { cells } = row;
    const v = signal.votes || {};
    let changed = false;
    changed = setCell(cells.action, String(signal.action), actionBadge(signal.action)) || changed;
    changed = setCell(cells.strength, String(signal.strength), String(signal.strength ?? '–')) || changed;
    changed = setCell(cells.score, fmtScore(signal.score), fmtScore(signal.score)) || changed;
    changed = setCell(cells.confidence, fmtPct(signal.confidence), fmtPct(signal.confidence)) || changed;
    const votes = [v.buy, v.sell, v.hold, v.abstain].map((x) => (isNum(x) ? x : 0));
    if (setCell(cells.votes, votes.join('/'), votes.join(' / '))) {
      cells.votes.title = `buy ${votes[0]}, sell ${votes[1]}, hold ${votes[2]}, abstain ${votes[3]}`;
      changed = true;
    }
    changed = setCell(cells.as_of, String(signal.as_of), timeEl(signal.as_of)) || changed;
    const now = new Date();
    setCell(cells.updated, String(signal.computed_at),
      timeEl(now.toISOString(), now.toLocaleTimeString([], { hourCycle: 'h23' })));
    cells.updated.title = `computed at ${signal.computed_at}`;
    row.signal = signal;

    if (changed && !fresh) {
      row.tr.classList.remove('flash');
      void row.tr.offsetWidth; // restart the animation
      row.tr.classList.add('flash');
    }
    if (symbol === selected && (changed || recomputed)) scheduleDetail();
  }

  function removeRow(symbol) {
    const row = rows.get(symbol);
    if (!row) return;
    row.tr.remove();
    rows.delete(symbol);
    byId('empty').hidden = rows.size > 0;
  }

  tbody.addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-symbol]');
    if (tr) select(tr.dataset.symbol);
  });

  function markSelected() {
    for (const table of [rows, universe.rows]) {
      for (const [symbol, row] of table) {
        const on = symbol === selected;
        row.tr.classList.toggle('selected', on);
        if (on) row.button.setAttribute('aria-current', 'true');
        else row.button.removeAttribute('aria-current');
      }
    }
  }

  // After a resync: the stream may have skipped events, so ask REST for every known symbol.
  async function refetch() {
    const symbols = subscribed === '*' ? [...rows.keys()] : subscribed.split(',').filter(Boolean);
    for (let i = 0; i < symbols.length; i += 100) {
      const chunk = symbols.slice(i, i + 100);
      const query = new URLSearchParams({ symbols: chunk.join(','), timeframe });
      try {
        const body = await getJSON(`/v1/signals?${query}`);
        for (const signal of body.signals || []) upsert(signal);
        for (const symbol of body.missing || []) removeRow(symbol);
      } catch (err) {
        console.warn('resync refetch failed:', err.message);
      }
    }
    if (selected) scheduleDetail();
  }

  // ---- the universe: every symbol held (GET /v1/scan + GET /v1/symbols) ----------------

  // The scan filters on the server (action, min score/confidence, category) and returns at
  // most SCAN_LIMIT rows in its own order; the table sorts what it got. When the universe is
  // larger than that, the server's order picks which rows come (best score first, or the
  // header's order when the server has it).
  const SCAN_LIMIT = 500; // the route's maximum
  const SYMBOL_PAGE = 1000; // GET /v1/symbols' maximum page
  const SYMBOL_PAGES = 20;
  const UNIVERSE_DEBOUNCE_MS = 700; // after the last signal event...
  const UNIVERSE_MAX_WAIT_MS = 4000; // ...but no later than this after the first
  const universe = {
    rows: new Map(), // symbol -> { tr, cells, button, data }
    sort: { key: 'symbol', dir: 1 },
    total: 0,
    generation: 0,
    timer: null,
    since: 0,
    loading: false,
    again: false,
  };
  const uBody = document.querySelector('#universe tbody');
  const uForm = byId('universe-filters');
  const SORT_FIRST_DIR = { symbol: 1, action: 1, score: -1, confidence: -1, as_of: -1, bars: -1 };
  const ACTION_RANK = { BUY: 0, HOLD: 1, SELL: 2, ABSTAIN: 3 };

  function universeFilters() {
    const data = new FormData(uForm);
    const value = (name) => String(data.get(name) ?? '').trim();
    const number = (name, lo, hi, scale) => {
      const raw = value(name);
      if (raw === '') return null;
      const x = Number(raw) / scale;
      return Number.isFinite(x) && x >= lo && x <= hi ? x : undefined; // undefined: invalid
    };
    return {
      action: value('action'),
      category: value('category'),
      min_score: number('min_score', -1, 1, 1),
      min_confidence: number('min_confidence', 0, 1, 100),
    };
  }

  // The server's order for the header's, when it has it (so a truncated scan keeps the right
  // rows); otherwise best score first.
  function serverSort({ key, dir }) {
    if (key === 'score') return dir < 0 ? '-score' : 'score';
    if (key === 'confidence' && dir < 0) return '-confidence';
    if (key === 'symbol' && dir > 0) return 'symbol';
    return '-score';
  }

  function scheduleUniverse(delay = UNIVERSE_DEBOUNCE_MS) {
    const now = Date.now();
    if (!universe.timer) universe.since = now;
    clearTimeout(universe.timer);
    const wait = Math.max(0, Math.min(delay, universe.since + UNIVERSE_MAX_WAIT_MS - now));
    universe.timer = setTimeout(() => {
      universe.timer = null;
      loadUniverse();
    }, wait);
  }

  async function loadSymbols() {
    const held = new Map();
    let cursor = null;
    for (let page = 0; page < SYMBOL_PAGES; page++) {
      const query = new URLSearchParams({ timeframe, limit: String(SYMBOL_PAGE) });
      if (cursor) query.set('cursor', cursor);
      const body = await getJSON(`/v1/symbols?${query}`);
      for (const s of body.symbols || []) {
        const tf = (s.timeframes || {})[timeframe];
        if (tf) held.set(String(s.symbol), tf);
      }
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    return held;
  }

  async function loadUniverse() {
    // One load at a time; a request during one runs once it ends.
    if (universe.loading) {
      universe.again = true;
      return;
    }
    universe.loading = true;
    const generation = ++universe.generation;
    const f = universeFilters();
    const status = byId('universe-status');
    try {
      if (f.min_score === undefined || f.min_confidence === undefined) {
        status.textContent = 'Min score is -1 to 1, min confidence 0 to 100 %.';
        return;
      }
      const query = new URLSearchParams({ timeframe, limit: String(SCAN_LIMIT),
        sort: serverSort(universe.sort) });
      if (f.action) query.set('action', f.action);
      if (f.category) query.set('category', f.category);
      if (f.min_score !== null) query.set('min_score', String(f.min_score));
      if (f.min_confidence !== null) query.set('min_confidence', String(f.min_confidence));
      const [scan, held] = await Promise.all([getJSON(`/v1/scan?${query}`), loadSymbols()]);
      if (generation !== universe.generation) return;
      renderUniverse(scan, held, f);
    } catch (err) {
      status.textContent = `Could not load the universe: ${err.message}`;
    } finally {
      universe.loading = false;
      if (universe.again) {
        universe.again = false;
        loadUniverse();
      }
    }
  }

  function createUniverseRow(symbol) {
    const button = el('button', { type: 'button', class: 'sym', 'aria-controls': 'detail' }, symbol);
    const cells = {
      action: el('td'),
      score: el('td', { class: 'num' }),
      confidence: el('td', { class: 'num' }),
      as_of: el('td'),
      bars: el('td', { class: 'num opt' }),
      first: el('td', { class: 'opt' }),
      last: el('td', { class: 'opt' }),
    };
    for (const [name, td] of Object.entries(cells)) td.dataset.field = name;
    const tr = el('tr', { 'data-symbol': symbol }, el('th', { scope: 'row' }, button),
      ...Object.values(cells));
    tr.addEventListener('animationend', () => tr.classList.remove('flash'));
    const row = { tr, cells, button, data: null };
    universe.rows.set(symbol, row);
    return row;
  }

  function renderUniverse(scan, held, f) {
    const results = Array.isArray(scan.results) ? scan.results : [];
    const seen = new Set();
    for (const r of results) {
      if (!r || typeof r.symbol !== 'string') continue;
      const symbol = r.symbol;
      seen.add(symbol);
      const bars = held.get(symbol) || {};
      const score = f.category && isNum(r.category_score) ? r.category_score : r.score;
      const data = { symbol, action: String(r.action), score, confidence: r.confidence,
        as_of: String(r.as_of), bars: isNum(bars.bars) ? bars.bars : null };
      const existing = universe.rows.get(symbol);
      const row = existing || createUniverseRow(symbol);
      const { cells } = row;
      let changed = false;
      changed = setCell(cells.action, data.action, actionBadge(data.action)) || changed;
      changed = setCell(cells.score, fmtScore(score), fmtScore(score)) || changed;
      changed = setCell(cells.confidence, fmtPct(r.confidence), fmtPct(r.confidence)) || changed;
      changed = setCell(cells.as_of, data.as_of, timeEl(data.as_of)) || changed;
      const count = data.bars === null ? '–' : String(data.bars);
      changed = setCell(cells.bars, count, count) || changed;
      setCell(cells.first, String(bars.first), bars.first ? timeEl(bars.first) : '–');
      setCell(cells.last, String(bars.last), bars.last ? timeEl(bars.last) : '–');
      row.data = data;
      if (existing && changed) {
        row.tr.classList.remove('flash');
        void row.tr.offsetWidth; // restart the animation
        row.tr.classList.add('flash');
      }
    }
    for (const [symbol, row] of universe.rows) {
      if (!seen.has(symbol)) {
        row.tr.remove();
        universe.rows.delete(symbol);
      }
    }
    universe.total = isNum(scan.total) ? scan.total : results.length;
    byId('universe-score-label').textContent = f.category ? `Score (${f.category})` : 'Score';
    sortUniverse();
    markSelected();
    const filtered = f.action || f.category || f.min_score !== null || f.min_confidence !== null;
    const shown = universe.rows.size;
    byId('universe-count').textContent = `(${shown === universe.total ? shown : `${shown} of ${universe.total}`}` +
      `${filtered ? ' matching' : ''} · ${held.size} held)`;
    byId('universe-status').textContent = shown === 0
      ? (filtered ? 'No symbol matches the filters.' : 'No symbol holds bars for this timeframe yet.')
      : (shown < universe.total ? `Showing the first ${shown} by the server's order; narrow the filters for the rest.` : '');
  }

  function compareUniverse(a, b) {
    const { key, dir } = universe.sort;
    let x;
    let y;
    if (key === 'action') {
      x = ACTION_RANK[a.action] ?? 9;
      y = ACTION_RANK[b.action] ?? 9;
    } else if (key === 'as_of') {
      x = Date.parse(a.as_of) || 0;
      y = Date.parse(b.as_of) || 0;
    } else if (key === 'symbol') {
      x = a.symbol;
      y = b.symbol;
    } else {
      x = isNum(a[key]) ? a[key] : -Infinity;
      y = isNum(b[key]) ? b[key] : -Infinity;
    }
    if (x < y) return -dir;
    if (x > y) return dir;
    return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0; // ties: by symbol
  }

  function sortUniverse() {
    const ordered = [...universe.rows.values()].sort((a, b) => compareUniverse(a.data, b.data));
    // Move rows only when the order changed (a move would restart a flash).
    const current = [...uBody.children];
    if (ordered.length !== current.length || ordered.some((row, i) => row.tr !== current[i])) {
      uBody.append(...ordered.map((row) => row.tr));
    }
    for (const th of document.querySelectorAll('#universe thead th[data-sort]')) {
      if (th.dataset.sort === universe.sort.key) {
        th.setAttribute('aria-sort', universe.sort.dir > 0 ? 'ascending' : 'descending');
      } else {
        th.removeAttribute('aria-sort');
      }
    }
  }

  document.querySelector('#universe thead').addEventListener('click', (event) => {
    const th = event.target.closest('th[data-sort]');
    if (!th || !event.target.closest('button')) return;
    const key = th.dataset.sort;
    const before = serverSort(universe.sort);
    universe.sort = universe.sort.key === key
      ? { key, dir: -universe.sort.dir }
      : { key, dir: SORT_FIRST_DIR[key] || 1 };
    sortUniverse();
    // A truncated scan in another server order holds other rows: ask again.
    if (universe.rows.size < universe.total && serverSort(universe.sort) !== before) {
      scheduleUniverse(0);
    }
  });

  uBody.addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-symbol]');
    if (tr) select(tr.dataset.symbol);
  });
  uForm.addEventListener('submit', (event) => event.preventDefault());
  uForm.addEventListener('input', () => scheduleUniverse(300));
  uForm.addEventListener('change', () => scheduleUniverse(0));

  // ---- the stream -----------------------------------------------------------------------

  let source = null;
  let lastEventId = null;
  let retryTimer = null;
  let downTimer = null;
  let troubleSince = 0; // first error since the stream was last open
  let backoff = 2000;

  function showTrouble() {
    if (!source || source.readyState === EventSource.OPEN || !troubleSince) return;
    if (Date.now() - troubleSince >= 15000) setStatus('disconnected', 'retrying');
    else setStatus('reconnecting');
  }

  function connect() {
    clearTimeout(retryTimer);
    const query = new URLSearchParams({ symbols: subscribed, timeframe });
    if (readToken) query.set('access_token', readToken);
    if (lastEventId) query.set('last_event_id', lastEventId); // a fresh EventSource resumes
    const es = new EventSource(`/v1/stream?${query}`);
    source = es;

    es.addEventListener('open', () => {
      if (es !== source) return;
      clearTimeout(downTimer);
      troubleSince = 0;
      backoff = 2000;
      setStatus('connected');
    });
    es.addEventListener('signal', (event) => {
      if (es !== source) return;
      if (event.lastEventId) lastEventId = event.lastEventId;
      try {
        upsert(JSON.parse(event.data));
      } catch (err) {
        console.warn('bad signal event:', err.message);
      }
      scheduleUniverse();
    });
    es.addEventListener('resync', (event) => {
      if (es !== source) return;
      if (event.lastEventId) lastEventId = event.lastEventId;
      refetch();
      scheduleUniverse();
    });
    es.addEventListener('error', () => {
      if (es !== source) return;
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (an HTTP error such as 401 or 503): retry ourselves.
        es.close();
        if (!troubleSince) troubleSince = Date.now();
        setStatus('disconnected', `retrying in ${Math.round(backoff / 1000)} s`);
        retryTimer = setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 60000);
      } else {
        // EventSource reconnects by itself (with Last-Event-ID); after 15 s of failed
        // attempts call it disconnected.
        if (!troubleSince) troubleSince = Date.now();
        showTrouble();
        clearTimeout(downTimer);
        downTimer = setTimeout(showTrouble, 15500);
      }
    });
  }

  // ---- detail: agents + chart -----------------------------------------------------------

  let detailGeneration = 0;
  let detailTimer = null;
  let chart = null; // { symbol, bars, overlays }

  function select(symbol) {
    if (typeof symbol !== 'string' || !symbol) return;
    const changed = selected !== symbol;
    selected = symbol;
    markSelected();
    const detail = byId('detail');
    detail.hidden = false;
    byId('detail-heading').textContent = `${symbol} · ${timeframe}`;
    if (changed) {
      chart = null;
      byId('agents').replaceChildren();
      byId('agent-count').textContent = '';
      byId('detail-summary').textContent = 'Loading…';
      drawChart();
    }
    if (window.matchMedia('(max-width: 1499px)').matches) {
      detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
    loadDetail();
  }

  function scheduleDetail() {
    clearTimeout(detailTimer);
    detailTimer = setTimeout(loadDetail, 250);
  }

  async function loadDetail() {
    if (!selected) return;
    const generation = ++detailGeneration;
    const symbol = selected;
    const enc = encodeURIComponent(symbol);
    const tf = encodeURIComponent(timeframe);
    const indicators = (agent) =>
      getJSON(`/v1/indicators/${enc}?agent=${agent}&timeframe=${tf}&limit=${BAR_LIMIT}`);
    try {
      const [signal, bars, bollinger, sma] = await Promise.all([
        getJSON(`/v1/signals/${enc}?timeframe=${tf}`),
        getJSON(`/v1/bars/${enc}?timeframe=${tf}&limit=${BAR_LIMIT}`),
        indicators('bollinger'),
        indicators('sma_cross'),
      ]);
      if (generation !== detailGeneration) return;
      renderSummary(signal);
      renderAgents(signal);
      chart = buildChart(symbol, bars.bars || [], [bollinger, sma]);
      drawChart();
    } catch (err) {
      if (generation !== detailGeneration) return;
      byId('detail-summary').textContent = `Could not load ${symbol}: ${err.message}`;
    }
  }

  function renderSummary(s) {
    byId('detail-summary').replaceChildren(
      actionBadge(s.action), ` ${s.strength} · score ${fmtScore(s.score)} · confidence `,
      `${fmtPct(s.confidence)} · as of `, timeEl(s.as_of), ` · ${s.bars_used} bars`);
  }

  const titleCase = (s) => String(s).charAt(0).toUpperCase() + String(s).slice(1);

  function renderAgents(signal) {
    const agents = Array.isArray(signal.agents) ? signal.agents : [];
    const groups = new Map();
    for (const a of agents) {
      const key = String(a.category);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(a);
    }
    const sections = [];
    for (const [category, list] of groups) {
      const summary = (signal.categories || {})[category] || {};
      const body = el('tbody');
      for (const a of list) {
        body.append(el('tr', { 'data-agent': String(a.name) },
          el('th', { scope: 'row' }, String(a.name)),
          el('td', {}, actionBadge(a.action)),
          el('td', { class: 'num' }, fmtPct(a.confidence)),
          el('td', { class: 'num opt' }, fmtScore(a.score)),
          el('td', { class: 'reason' }, String(a.reason ?? ''))));
      }
      const headingId = `cat-${category.replace(/[^a-z0-9_-]/gi, '')}`;
      sections.push(el('section', { class: 'category', 'aria-labelledby': headingId },
        el('h4', { id: headingId }, titleCase(category), ' ', actionBadge(summary.action),
          el('span', { class: 'muted' },
            ` score ${fmtScore(summary.score)} · ${summary.voters ?? 0} of ${list.length} voting`)),
        el('div', { class: 'table-wrap' },
          el('table', { class: 'agents' },
            el('thead', {}, el('tr', {},
              el('th', { scope: 'col' }, 'Agent'), el('th', { scope: 'col' }, 'Action'),
              el('th', { scope: 'col', class: 'num' }, 'Confidence'),
              el('th', { scope: 'col', class: 'num opt' }, 'Score'),
              el('th', { scope: 'col' }, 'Reason'))),
            body))));
    }
    byId('agents').replaceChildren(...sections);
    byId('agent-count').textContent = `(${agents.length})`;
  }

  // Indicator series are aligned with the bars by time, so a bar added between the two
  // requests cannot shift them.
  function buildChart(symbol, bars, indicatorBodies) {
    const index = new Map(bars.map((b, i) => [b.time, i]));
    const overlays = {};
    for (const body of indicatorBodies) {
      for (const [key, values] of Object.entries(body.series || {})) {
        const aligned = new Array(bars.length).fill(null);
        (body.time || []).forEach((t, j) => {
          const i = index.get(t);
          if (i !== undefined && isNum(values[j])) aligned[i] = values[j];
        });
        overlays[key] = aligned;
      }
    }
    return { symbol, bars, overlays };
  }

  function niceStep(range, count) {
    const raw = range / Math.max(count, 1);
    const mag = 10 ** Math.floor(Math.log10(raw));
    const f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  }

  function drawChart() {
    const canvas = byId('chart');
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const css = getComputedStyle(canvas);
    const color = (name) => css.getPropertyValue(name).trim() || '#888';
    ctx.fillStyle = color('--chart-bg');
    ctx.fillRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    delete canvas.dataset.drawn;

    if (!chart || chart.bars.length === 0) {
      ctx.fillStyle = color('--chart-text');
      ctx.fillText(chart ? 'No bars' : 'Loading…', 12, 20);
      canvas.setAttribute('aria-label', 'Price chart (no data)');
      return;
    }
    const { bars, overlays } = chart;
    const n = bars.length;
    const pad = { left: 8, right: 64, top: 10, bottom: 26 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of bars) {
      lo = Math.min(lo, b.low);
      hi = Math.max(hi, b.high);
    }
    const drawn = ['bb_upper', 'bb_middle', 'bb_lower', 'sma_50', 'sma_200']
      .filter((k) => overlays[k] && overlays[k].some(isNum));
    for (const k of drawn) {
      for (const x of overlays[k]) if (isNum(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    }
    if (hi === lo) { hi += 1; lo -= 1; }
    const margin = (hi - lo) * 0.04;
    lo -= margin;
    hi += margin;
    const xOf = (i) => pad.left + ((i + 0.5) * plotW) / n;
    const yOf = (v) => pad.top + ((hi - v) / (hi - lo)) * plotH;

    // Grid and price axis (right).
    const step = niceStep(hi - lo, Math.max(2, Math.floor(plotH / 45)));
    const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step))));
    ctx.strokeStyle = color('--chart-grid');
    ctx.lineWidth = 1;
    ctx.fillStyle = color('--chart-text');
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
      const y = Math.round(yOf(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(pad.left + plotW, y);
      ctx.stroke();
      ctx.fillText(v.toFixed(decimals), pad.left + plotW + 6, y);
    }
    // Time axis (bottom).
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    const ticks = Math.max(2, Math.floor(plotW / 110));
    for (let k = 0; k < ticks; k++) {
      const i = Math.round(((n - 1) * (k + 0.5)) / ticks);
      const x = Math.round(xOf(i)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, pad.top);
      ctx.lineTo(x, pad.top + plotH + 4);
      ctx.stroke();
      ctx.fillText(fmtTime(bars[i].time), x, pad.top + plotH + 7);
    }
    ctx.strokeStyle = color('--chart-axis');
    ctx.strokeRect(pad.left + 0.5, pad.top + 0.5, plotW, plotH);

    // Bollinger band fill, then lines.
    const up = overlays.bb_upper;
    const down = overlays.bb_lower;
    if (up && down) {
      ctx.fillStyle = color('--bb-fill');
      let i = 0;
      while (i < n) {
        while (i < n && !(isNum(up[i]) && isNum(down[i]))) i++;
        const start = i;
        while (i < n && isNum(up[i]) && isNum(down[i])) i++;
        if (i - start < 2) continue;
        ctx.beginPath();
        for (let j = start; j < i; j++) ctx.lineTo(xOf(j), yOf(up[j]));
        for (let j = i - 1; j >= start; j--) ctx.lineTo(xOf(j), yOf(down[j]));
        ctx.closePath();
        ctx.fill();
      }
    }
    const line = (values, stroke, lineWidth, dash) => {
      if (!values) return;
      ctx.strokeStyle = stroke;
      ctx.lineWidth = lineWidth;
      ctx.setLineDash(dash || []);
      ctx.beginPath();
      let pen = false;
      values.forEach((v, i) => {
        if (!isNum(v)) { pen = false; return; }
        if (pen) ctx.lineTo(xOf(i), yOf(v));
        else ctx.moveTo(xOf(i), yOf(v));
        pen = true;
      });
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line(up, color('--bb'), 1);
    line(down, color('--bb'), 1);
    line(overlays.bb_middle, color('--bb'), 1, [4, 3]);

    // Candles.
    const body = Math.max(1, (plotW / n) * 0.6);
    bars.forEach((b, i) => {
      const x = xOf(i);
      const rising = b.close >= b.open;
      ctx.strokeStyle = ctx.fillStyle = color(rising ? '--up' : '--down');
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, yOf(b.high));
      ctx.lineTo(x, yOf(b.low));
      ctx.stroke();
      const top = yOf(Math.max(b.open, b.close));
      ctx.fillRect(x - body / 2, top, body, Math.max(1, yOf(Math.min(b.open, b.close)) - top));
    });

    line(overlays.sma_50, color('--sma50'), 1.5);
    line(overlays.sma_200, color('--sma200'), 1.5);

    // Last close tag on the price axis.
    const last = bars[n - 1];
    const y = yOf(last.close);
    ctx.fillStyle = color('--tag-bg');
    ctx.fillRect(pad.left + plotW + 1, y - 8, pad.right - 2, 16);
    ctx.fillStyle = color('--tag-text');
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(String(last.close.toFixed(decimals + 1)), pad.left + plotW + 6, y);

    canvas.dataset.drawn = ['candles', ...drawn].join(',');
    canvas.setAttribute('aria-label',
      `${chart.symbol} ${timeframe} candlestick chart, ${n} bars from ${fmtTime(bars[0].time)} ` +
      `to ${fmtTime(last.time)}, last close ${last.close}; overlays: Bollinger bands, ` +
      'SMA 50, SMA 200');
  }

  let resizeFrame = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(drawChart);
  }).observe(byId('chart'));
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', drawChart);

  // ---- shared with backtest.js (loaded after this file) -----------------------------------

  window.gsDashboard = Object.freeze({
    el, isNum, fmtTime, timeEl, actionBadge, niceStep, authHeaders, readToken, timeframe,
  });

  // ---- start ----------------------------------------------------------------------------

  byId('timeframe').textContent = `timeframe ${timeframe}`;
  setStatus('connecting');
  connect();
  loadUniverse();
})();
