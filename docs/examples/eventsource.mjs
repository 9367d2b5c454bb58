// A small EventSource for Node 20 (which has fetch but no EventSource), also usable in a
// browser where headers are needed. The parts of the WHATWG interface the examples use:
// addEventListener / on<type>, readyState, lastEventId, close(); events are MessageEvent-like
// objects {type, data, lastEventId}. The stream is parsed as the SSE spec says (fields,
// multi-line data joined with \n, comments, retry:, CR / LF / CRLF), and on a dropped
// connection it reconnects after `retry` ms sending `Last-Event-ID`, as a browser does.
//
// Extras (not in the standard interface): options.headers (e.g. Authorization) and
// dropConnection(), which cuts the connection as a network failure would (the examples'
// tests use it to prove a resume loses nothing).

export class EventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;

  constructor(url, options = {}) {
    this.url = String(url);
    this.readyState = EventSource.CONNECTING;
    this.lastEventId = '';
    this.reconnectionTime = options.retry ?? 3000;
    this.headers = options.headers ?? {};
    this.onopen = null;
    this.onmessage = null;
    this.onerror = null;
    this._listeners = new Map();
    this._abort = null;
    this._connect();
  }

  addEventListener(type, listener) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(listener);
  }

  removeEventListener(type, listener) {
    this._listeners.get(type)?.delete(listener);
  }

  close() {
    this.readyState = EventSource.CLOSED;
    this._abort?.abort();
    clearTimeout(this._timer);
  }

  // Cuts the current connection as if the network had dropped it: `error`, then a
  // reconnection with Last-Event-ID after the retry delay.
  dropConnection() {
    this._abort?.abort(new Error('dropped by dropConnection()'));
  }

  _emit(type, event) {
    const handler = this[`on${type}`];
    if (typeof handler === 'function') handler.call(this, event);
    for (const listener of this._listeners.get(type) ?? []) listener.call(this, event);
  }

  async _connect() {
    const abort = new AbortController();
    this._abort = abort;
    const headers = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache', ...this.headers };
    if (this.lastEventId !== '') headers['Last-Event-ID'] = this.lastEventId;
    try {
      const response = await fetch(this.url, { headers, signal: abort.signal });
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !type.startsWith('text/event-stream')) {
        // As the spec says: a wrong answer fails the connection for good.
        const body = await response.text().catch(() => '');
        this.readyState = EventSource.CLOSED;
        this._emit('error', { type: 'error', status: response.status, message: body });
        return;
      }
      this.readyState = EventSource.OPEN;
      this._emit('open', { type: 'open' });
      await this._read(response.body);
    } catch (error) {
      if (this.readyState === EventSource.CLOSED) return;
      this._emit('error', { type: 'error', message: String(error?.message ?? error) });
    }
    if (this.readyState === EventSource.CLOSED) return;
    this.readyState = EventSource.CONNECTING;
    this._timer = setTimeout(() => this._connect(), this.reconnectionTime);
  }

  async _read(body) {
    const decoder = new TextDecoder();
    let buffer = '';
    let data = [];
    let eventType = '';
    let id = null;
    const dispatch = () => {
      if (id !== null) this.lastEventId = id;
      if (data.length > 0) {
        const type = eventType || 'message';
        this._emit(type, { type, data: data.join('\n'), lastEventId: this.lastEventId });
      }
      data = [];
      eventType = '';
      id = null;
    };
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      // A trailing CR may be half of a CRLF: keep it until the next chunk.
      let match;
      const lineEnd = /\r\n|\r(?!$)|\n/g;
      let start = 0;
      while ((match = lineEnd.exec(buffer)) !== null) {
        const line = buffer.slice(start, match.index);
        start = lineEnd.lastIndex;
        if (line === '') {
          dispatch();
          continue;
        }
        if (line.startsWith(':')) continue;  // a comment: the server's heartbeat
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'event') eventType = value;
        else if (field === 'id' && !value.includes('\0')) id = value;
        else if (field === 'retry' && /^\d+$/.test(value)) this.reconnectionTime = Number(value);
      }
      buffer = buffer.slice(start);
    }
  }
}
