// Switchboard browser client: one dependency-free ES module, no build step.
// Served by every gateway at /client/switchboard.js. Protocol: docs/protocol.md; guide: docs/client.md.
//
//   import { SwitchboardClient } from '/client/switchboard.js';
//   const sb = new SwitchboardClient({ url: 'wss://gw.example/ws', getToken: () => fetchToken() });
//   sb.addEventListener('message', (e) => console.log(e.detail.room, e.detail.data));
//   await sb.connect();
//   await sb.join('chat:lobby');
//   await sb.publish('chat:lobby', { text: 'hi' });   // -> { op: 'reply', status: 'ok', id: '…' }
//
// History rooms (docs/protocol.md, section 8): the client remembers the last position it saw per
// room and rejoins with `since` after every reconnect, so missed messages are replayed. When they
// cannot be, it says so: 'unrecovered' (the rejoin could not replay), 'gap' (offsets lost while
// connected), 'reset' (the room's history started over). The app must then resynchronise the room
// from its own source of truth.

/** Rejection of a request: `code` is a protocol error code ('forbidden', …) or a local one
 *  ('not_connected', 'closed', 'timeout'); `reason` is the server's text, when there is one. */
export class SwitchboardError extends Error {
  constructor(code, reason, extra = {}) {
    super(reason ? `${code}: ${reason}` : code);
    this.name = 'SwitchboardError';
    this.code = code;
    this.reason = reason;
    Object.assign(this, extra);
  }
}

const SUBPROTOCOL = 'switchboard.v1';
const NO_RECONNECT = new Set([4403]);   // revoked or disconnected by an operator: stop and report
const BACK_OFF_LONGER = new Set([1013, 4429]);   // slow consumer, rate abuse: "reconnect later"
const JOIN_ATTEMPTS = 6;   // a join refused 'unavailable' is tried this often in all, with backoff

export class SwitchboardClient extends EventTarget {
  #urls; #urlIndex = 0; #getToken; #minDelay; #maxDelay; #requestTimeout; #WebSocket;
  #ws = null; #state = 'closed'; #welcome = null; #rooms = new Set();
  #positions = new Map();   // history room -> { epoch, offset } of the last message seen
  #pending = new Map(); #seq = 0; #attempt = 0; #timer = null; #generation = 0; #stopped = true;
  #waiters = [];   // connect() promises waiting for the next 'open'

  /**
   * @param {object} options
   * @param {string|string[]} options.url  ws(s)://host/ws, or a list tried in turn on each reconnect
   * @param {() => string|Promise<string>} options.getToken  called before every (re)connect and refresh
   * @param {{minDelayMs?: number, maxDelayMs?: number}} [options.reconnect]
   * @param {number} [options.requestTimeoutMs=15000]  a request with no reply by then is rejected
   */
  constructor({ url, getToken, reconnect = {}, requestTimeoutMs = 15000, WebSocket: WS } = {}) {
    super();
    this.#urls = [].concat(url).filter(Boolean);
    if (!this.#urls.length) throw new TypeError('SwitchboardClient: url is required');
    if (typeof getToken !== 'function') throw new TypeError('SwitchboardClient: getToken must be a function');
    this.#getToken = getToken;
    this.#minDelay = reconnect.minDelayMs ?? 250;
    this.#maxDelay = reconnect.maxDelayMs ?? 10000;
    this.#requestTimeout = requestTimeoutMs;
    this.#WebSocket = WS ?? globalThis.WebSocket;
  }

  /** 'connecting' | 'open' | 'reconnecting' | 'closed' */
  get state() { return this.#state; }
  /** The last `welcome` frame ({connection, user, roles, exp, node}), or null before the first. */
  get welcome() { return this.#welcome; }
  /** The rooms this client is in, and re-joins after a reconnect (a copy). */
  get rooms() { return new Set(this.#rooms); }
  /** The last position seen in a history room ({epoch, offset}), or undefined: what a rejoin sends as `since`. */
  position(room) {
    const p = this.#positions.get(room);
    return p && { ...p };
  }

  /** The URL of the current (or next) connection attempt. */
  get url() { return this.#urls[this.#urlIndex % this.#urls.length]; }

  /** Starts connecting (and reconnecting, until close()). Resolves with the welcome frame once the
   *  client is open; rejects if it ends up closed first (close() or a 4403). */
  connect() {
    const opened = new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#stopped) {
      this.#stopped = false;
      this.#attempt = 0;
      this.#open('connecting');
    } else if (this.#state === 'open') {
      this.#settleWaiters(this.#welcome);
    }
    return opened;
  }

  /** Closes for good: no reconnect, pending requests are rejected, the room list is forgotten. */
  close(code = 1000, reason = 'client closed') {
    if (this.#stopped && this.#state === 'closed') return;
    const ws = this.#ws;
    this.#stop();
    this.#rooms.clear();
    this.#positions.clear();
    if (ws && ws.readyState <= 1) ws.close(code, reason);
    this.#rejectPending('closed', 'the client was closed');
    this.#setState('closed', { code, reason });
  }

  /**
   * Joins a room; a join refused `unavailable` (the node cannot reach the others yet) is retried with
   * backoff. In a history room, `since` ({epoch, offset}, e.g. a position saved before a page reload)
   * asks for the messages after it; the reply's `recovered` says whether they follow.
   */
  async join(room, { since } = {}) {
    const reply = await this.#join(room, since);
    this.#rooms.add(room);
    return reply;
  }

  async leave(room) {
    this.#rooms.delete(room);   // the app's intent: never re-joined, whatever the reply
    this.#positions.delete(room);
    return this.#request({ op: 'leave', room });
  }

  async #join(room, since) {
    const generation = this.#generation;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const reply = await this.#request(since ? { op: 'join', room, since } : { op: 'join', room });
        this.#joined(room, since, reply);
        return reply;
      } catch (error) {
        if (error.code !== 'unavailable' || attempt >= JOIN_ATTEMPTS || generation !== this.#generation) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.#backoff(attempt)));
      }
    }
  }

  #joined(room, since, reply) {
    if (reply.position) this.#positions.set(room, { ...reply.position });
    if (since && reply.recovered === false) {
      this.#emit('unrecovered', { room, since, position: reply.position });
    }
  }

  /** Resolves with the reply, whose `id` is the message id. */
  publish(room, data) {
    return this.#request({ op: 'publish', room, data: data === undefined ? null : data });
  }

  /** Who is in a room with presence on: resolves with the reply, whose `count` is the number of
   *  users and `members` up to 1,000 `{user, connections}`, sorted by user. */
  presence(room) {
    return this.#request({ op: 'presence', room });
  }

  /** Replaces the connection's token in place (done by itself on `expiring`). */
  async refresh(token) {
    token ??= await this.#getToken();
    const reply = await this.#request({ op: 'refresh', token });
    this.#emit('refresh', { exp: tokenExp(token) });
    return reply;
  }

  // ---- connection lifecycle ----

  async #open(state) {
    const generation = ++this.#generation;
    if (this.#state !== state) this.#setState(state);
    let token;
    try {
      token = await this.#getToken();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#emit('error', { error, during: 'getToken' });
      return this.#scheduleReconnect({ code: 0, reason: 'getToken failed' });
    }
    if (generation !== this.#generation) return;   // close() or a newer attempt meanwhile
    let ws;
    try {
      ws = new this.#WebSocket(this.url, [SUBPROTOCOL, `bearer.${token}`]);
    } catch (error) {
      this.#emit('error', { error, during: 'connect' });
      return this.#scheduleReconnect({ code: 0, reason: String(error.message ?? error) });
    }
    this.#ws = ws;
    ws.onmessage = (event) => ws === this.#ws && this.#onFrame(event.data);
    ws.onclose = (event) => ws === this.#ws && this.#onClose(event);
  }

  #onClose({ code, reason }) {
    this.#ws = null;
    this.#rejectPending('closed', `connection closed (${code}${reason ? ` ${reason}` : ''})`, { closeCode: code });
    if (this.#stopped) return;
    if (NO_RECONNECT.has(code)) {
      this.#stop();
      this.#rooms.clear();
      this.#positions.clear();
      this.#setState('closed', { code, reason });
      return;
    }
    if (BACK_OFF_LONGER.has(code)) this.#attempt = Math.max(this.#attempt, 4);
    this.#scheduleReconnect({ code, reason });
  }

  #scheduleReconnect(detail) {
    if (this.#stopped) return;
    this.#attempt += 1;
    this.#urlIndex += 1;   // with a URL list, fail over to the next one
    const delay = this.#backoff(this.#attempt);
    this.#setState('reconnecting', { ...detail, delayMs: delay, attempt: this.#attempt });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#open('reconnecting'), delay);
  }

  /** Exponential, with jitter: in [ceiling/2, ceiling], the ceiling doubling up to maxDelayMs. */
  #backoff(attempt) {
    const ceiling = Math.min(this.#maxDelay, this.#minDelay * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * ceiling / 2);
  }

  #stop() {
    this.#stopped = true;
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#ws = null;
    const waiters = this.#waiters.splice(0);
    waiters.forEach((w) => w.reject(new SwitchboardError('closed', 'the client was closed')));
  }

  async #onWelcome(frame) {
    const generation = this.#generation;
    this.#welcome = frame;
    this.#attempt = 0;
    this.#emit('welcome', frame);
    // Re-join every room the app is in, before announcing 'open', so nothing published after
    // 'open' is missed; history rooms from the last position seen, so nothing before it is either.
    await Promise.all([...this.#rooms].map((room) => this.#join(room, this.#positions.get(room)).catch((error) => {
      if (error.code === 'closed' || error.code === 'not_connected') return;
      this.#rooms.delete(room);
      this.#emit('error', { error, during: 'rejoin', room });
    })));
    if (generation !== this.#generation || !this.#ws) return;
    this.#setState('open', { node: frame.node, connection: frame.connection });
    this.#settleWaiters(frame);
  }

  #settleWaiters(welcome) {
    this.#waiters.splice(0).forEach((w) => w.resolve(welcome));
  }

  // ---- frames ----

  #onFrame(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.#emit('error', { error: new SwitchboardError('bad_frame', 'server sent invalid JSON') });
    }
    switch (frame.op) {
      case 'welcome': return this.#onWelcome(frame);
      case 'reply': return this.#onReply(frame);
      case 'message':
        if (frame.offset !== undefined) this.#advance(frame.room, frame.offset);
        return this.#emit('message', frame);
      case 'gap':
        this.#advance(frame.room, frame.to);
        return this.#emit('gap', frame);
      case 'reset':
        if (this.#positions.has(frame.room)) this.#positions.set(frame.room, { ...frame.position });
        return this.#emit('reset', frame);
      case 'joined':
      case 'parted': return this.#emit(frame.op, frame);   // presence events: {room, user}
      case 'left':
        this.#rooms.delete(frame.room);
        this.#positions.delete(frame.room);
        return this.#emit('left', frame);
      case 'expiring':
        this.#emit('expiring', frame);
        return this.refresh().catch((error) => this.#emit('error', { error, during: 'refresh' }));
      default: return undefined;   // unknown server frames are ignored (forward compatibility)
    }
  }

  #advance(room, offset) {
    const position = this.#positions.get(room);
    if (position && offset > position.offset) position.offset = offset;
  }

  #onReply(frame) {
    const pending = frame.ref === undefined ? undefined : this.#pending.get(frame.ref);
    if (!pending) {
      // An error without a ref (or for a request no longer waited for): report it.
      if (frame.status === 'error') {
        this.#emit('error', { error: new SwitchboardError(frame.code, frame.reason), frame });
      }
      return;
    }
    this.#pending.delete(frame.ref);
    clearTimeout(pending.timer);
    if (frame.status === 'ok') pending.resolve(frame);
    else pending.reject(new SwitchboardError(frame.code, frame.reason, { op: pending.op, frame }));
  }

  #request(frame) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) {
      return Promise.reject(new SwitchboardError('not_connected', `cannot ${frame.op} while ${this.#state}`));
    }
    const ref = `r${++this.#seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        reject(new SwitchboardError('timeout', `no reply to ${frame.op} within ${this.#requestTimeout} ms`));
      }, this.#requestTimeout);
      this.#pending.set(ref, { resolve, reject, timer, op: frame.op });
      ws.send(JSON.stringify({ ...frame, ref }));
    });
  }

  #rejectPending(code, reason, extra) {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    pending.forEach((p) => {
      clearTimeout(p.timer);
      p.reject(new SwitchboardError(code, reason, { op: p.op, ...extra }));
    });
  }

  // ---- events ----

  #setState(state, extra = {}) {
    this.#state = state;
    this.#emit('state', { state, ...extra });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** The `exp` claim of a JWT, or undefined (decoded for display only; never verified here). */
function tokenExp(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '='))).exp;
  } catch {
    return undefined;
  }
}
