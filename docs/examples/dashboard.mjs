#!/usr/bin/env node
// A live signal board in the terminal: the service's SSE stream (GET /v1/stream) through an
// EventSource, resumed with Last-Event-ID after a dropped connection, refilled from the scan
// (GET /v1/scan) when the server says `resync`. Plain JavaScript, Node 20, no npm packages;
// in a browser the same code runs on the native EventSource (see dashboard.html).
//
//   node dashboard.mjs [--url http://127.0.0.1:8080] [--symbols AAPL,MSFT | *] [--timeframe 1d]
//                      [--json] [--exit-after N] [--drop-after N]
//   GS_READ_TOKEN   sent as Authorization: Bearer when the service requires a read token
//
// --json prints one line per event instead of the table (for scripts and the CI test);
// --drop-after N cuts the connection after the N-th signal, as a network failure would, to
// show the resume; --exit-after N stops after N signals.

import { EventSource as FetchEventSource } from './eventsource.mjs';

const EventSourceImpl = globalThis.EventSource ?? FetchEventSource;

function parseArgs(argv) {
  const options = { url: 'http://127.0.0.1:8080', symbols: '*', timeframe: '1d', json: false,
                    exitAfter: 0, dropAfter: 0 };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    switch (name) {
      case '--url': options.url = value().replace(/\/+$/, ''); break;
      case '--symbols': options.symbols = value(); break;
      case '--timeframe': options.timeframe = value(); break;
      case '--json': options.json = true; break;
      case '--exit-after': options.exitAfter = Number(value()); break;
      case '--drop-after': options.dropAfter = Number(value()); break;
      default:
        console.error(`unknown argument ${argv[i]}`);
        process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const headers = process.env.GS_READ_TOKEN
  ? { Authorization: `Bearer ${process.env.GS_READ_TOKEN}` } : {};
const board = new Map();  // symbol -> its newest signal
let signals = 0;
let dropped = false;

function log(record) {
  if (options.json) process.stdout.write(JSON.stringify(record) + '\n');
}

function render() {
  if (options.json) return;
  const rows = [...board.values()].sort((a, b) => b.score - a.score);
  const lines = [
    `GoldenSignals ${options.timeframe}  ${options.url}  ${rows.length} symbols  ` +
      `${new Date().toISOString()}`,
    '',
    'SYMBOL        ACTION  STRENGTH   SCORE  CONF  AS OF',
    ...rows.map((s) =>
      `${s.symbol.padEnd(12)}  ${s.action.padEnd(6)}  ${String(s.strength ?? '').padEnd(8)}` +
      `  ${s.score.toFixed(3).padStart(6)}  ${s.confidence.toFixed(2)}  ${s.as_of}`),
  ];
  process.stdout.write(process.stdout.isTTY ? `\x1b[H\x1b[2J${lines.join('\n')}\n`
                                            : `${lines.join('\n')}\n\n`);
}

async function getJson(path) {
  const response = await fetch(`${options.url}${path}`, { headers });
  const body = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${body.error?.message}`);
  return body;
}

// After a resync the events in between are gone: take the current signals instead.
async function refill() {
  const tf = encodeURIComponent(options.timeframe);
  if (options.symbols === '*') {
    const scan = await getJson(`/v1/scan?timeframe=${tf}&limit=1000`);
    for (const s of scan.results) board.set(s.symbol, { ...s, timeframe: scan.timeframe });
  } else {
    const many = await getJson(`/v1/signals?symbols=${encodeURIComponent(options.symbols)}` +
                               `&timeframe=${tf}`);
    for (const s of many.signals ?? []) board.set(s.symbol, s);
  }
  render();
}

const query = `symbols=${encodeURIComponent(options.symbols)}` +
              `&timeframe=${encodeURIComponent(options.timeframe)}`;
const source = new EventSourceImpl(`${options.url}/v1/stream?${query}`, { headers });

source.onopen = () => log({ event: 'open', last_event_id: source.lastEventId });
source.onerror = (e) => {
  log({ event: 'error', status: e.status, message: e.message });
  if (source.readyState === EventSourceImpl.CLOSED) {
    console.error(`stream refused: ${e.status ?? ''} ${e.message ?? ''}`);
    process.exit(1);
  }
};
source.addEventListener('signal', (e) => {
  const signal = JSON.parse(e.data);
  board.set(signal.symbol, signal);
  signals += 1;
  log({ event: 'signal', id: e.lastEventId, symbol: signal.symbol, action: signal.action,
        score: signal.score, as_of: signal.as_of });
  render();
  if (options.exitAfter && signals >= options.exitAfter) {
    source.close();
    process.exit(0);
  }
  if (options.dropAfter && signals === options.dropAfter && !dropped && source.dropConnection) {
    dropped = true;
    log({ event: 'dropping', last_event_id: source.lastEventId });
    source.dropConnection();
  }
});
source.addEventListener('resync', (e) => {
  log({ event: 'resync', data: JSON.parse(e.data) });
  refill().catch((error) => console.error(`refill failed: ${error.message}`));
});
