// Switchboard demo page: a thin UI over the client library served at /client/switchboard.js.
//
// Query parameters (all optional), e.g. /?user=alice&roles=user&ttl=60&room=chat:demo&autoconnect=1
//   user, roles, ttl, room   prefill the fields
//   url / urls               gateway WebSocket URL(s), comma-separated (default: this page's host + /ws);
//                            with several, the client fails over to the next one on each reconnect
//   token                    a JWT to connect with instead of minting one at /dev/token
//   autoconnect=1            connect on load
//
// Token hook for tests and embedders: when `window.switchboardGetToken` is a function, it is called
// (with {user, roles, ttl}) whenever the client needs a token that has not been supplied yet, i.e.
// to refresh on `expiring` and before each reconnect. It returns a JWT (or a promise of one).
// A test defines it before the page loads, with page.exposeFunction('switchboardGetToken', …) or
// page.addInitScript(…). Without it, the page mints at /dev/token (dev mode), or reuses the pasted token.
import { SwitchboardClient } from '/client/switchboard.js';

const $ = (id) => document.getElementById(id);
const els = Object.fromEntries(['user', 'roles', 'ttl', 'token', 'mint', 'urls', 'connect', 'disconnect', 'room',
  'join', 'leave', 'text', 'send', 'state', 'node', 'log', 'rooms', 'connection', 'who', 'exp', 'clear',
  'composer', 'token-box', 'token-hint', 'presence', 'presence-count'].map((id) => [id, $(id)]));

const CLOSE_CODES = {
  1000: 'normal close', 1001: 'server draining', 1006: 'connection lost or refused', 1009: 'frame too large',
  1011: 'internal error', 1013: 'slow consumer', 4400: 'protocol abuse', 4401: 'token expired or invalid',
  4403: 'revoked or disconnected by an operator', 4429: 'rate abuse',
};

let client = null;
let lastIssued = null;   // the token last handed to the client
let exp = null;          // current token expiry (epoch seconds)
let source = 'mint';     // where fresh tokens come from: 'mint' (/dev/token) or 'paste' (the textarea)

// ---- tokens ----

const identity = () => ({ user: els.user.value.trim(), roles: els.roles.value.trim(), ttl: Number(els.ttl.value) });

async function mint() {
  const { user, roles, ttl } = identity();
  const query = new URLSearchParams({ sub: user, roles, ttl: String(ttl) });
  const response = await fetch(`/dev/token?${query}`, { cache: 'no-store' });
  if (response.status === 404) {
    source = 'paste';
    showTokenBox('No /dev/token on this gateway (not dev mode): paste a token for it.');
    throw new Error('token minting is not available here (404)');
  }
  if (!response.ok) throw new Error(`minting failed: HTTP ${response.status} ${await response.text()}`);
  source = 'mint';
  return (await response.json()).token;
}

async function getToken() {
  const supplied = els.token.value.trim();
  if (supplied && supplied !== lastIssued) return issue(supplied);   // pasted, minted by hand, or from the URL
  if (typeof window.switchboardGetToken === 'function') return issue(await window.switchboardGetToken(identity()));
  if (source === 'mint' || !supplied) return issue(await mint());
  return issue(supplied);   // only a pasted token: the same one again (it may have expired)
}

function issue(token) {
  lastIssued = token;
  els.token.value = token;
  return token;
}

function showTokenBox(hint) {
  els['token-box'].hidden = false;
  if (hint) els['token-hint'].textContent = hint;
}

// ---- connection ----

function connect() {
  const urls = els.urls.value.split(',').map((u) => u.trim()).filter(Boolean);
  client = new SwitchboardClient({ url: urls, getToken });
  window.switchboardClient = client;   // for tests and the console
  const on = (type, fn) => client.addEventListener(type, (e) => fn(e.detail));
  on('state', onState);
  on('welcome', (w) => {
    exp = w.exp;
    els.node.textContent = w.node;
    els.connection.textContent = w.connection;
    els.who.textContent = `${w.user} [${w.roles.join(', ')}]`;
    event('welcome', `welcome from ${w.node}: ${w.user} [${w.roles.join(', ')}], connection ${w.connection}, token until ${clock(w.exp * 1000)}`);
  });
  on('message', (m) => addMessage(m));
  on('expiring', (f) => event('expiring', `token expiring at ${clock(f.exp * 1000)}, refreshing`));
  on('refresh', (r) => {
    exp = r.exp ?? exp;
    event('refresh', `refresh ok: token now valid until ${r.exp ? clock(r.exp * 1000) : '?'}`);
  });
  on('joined', (f) => {
    event('presence', `${f.user} joined ${f.room}`);
    if (f.room === shownRoom) showPresence(f.room);
  });
  on('parted', (f) => {
    event('presence', `${f.user} left ${f.room}`);
    if (f.room === shownRoom) showPresence(f.room);
  });
  on('left', (f) => {
    event('left', `removed from ${f.room} by the server (${f.reason})`);
    renderRooms();
  });
  // History rooms: what the client could not recover; the app would resynchronise the room here.
  on('unrecovered', (f) => event('unrecovered', `${f.room}: messages after offset ${f.since.offset} could not be replayed`));
  on('gap', (f) => event('gap', `${f.room}: offsets ${f.from}..${f.to} were lost`));
  on('reset', (f) => event('reset', `${f.room}: the history started over (epoch ${f.position.epoch})`));
  on('error', ({ error, during, room }) => event('error', `error${during ? ` (${during}${room ? ` ${room}` : ''})` : ''}: ${error.message ?? error}`));
  client.connect().catch(() => {});   // the outcome is reported through 'state'
}

function onState({ state, code, reason, delayMs, node }) {
  const open = state === 'open';
  els.state.textContent = state;
  els.state.dataset.state = state;
  const closeText = code !== undefined && code !== 0 ? ` — close ${code} (${reason || CLOSE_CODES[code] || 'unknown'})` : '';
  const retry = delayMs !== undefined ? `, retrying in ${delayMs} ms via ${client.url}` : '';
  event('state', `state: ${state}${node ? ` on ${node}` : ''}${closeText}${retry}`);
  if (open) els.node.textContent = node;
  else if (state === 'closed') els.node.textContent = '—';
  els.node.classList.toggle('stale', !open);   // the last node, while (re)connecting
  els.connect.disabled = state !== 'closed';
  els.disconnect.disabled = state === 'closed';
  for (const b of [els.join, els.leave, els.send]) b.disabled = !open;
  renderRooms();
}

async function run(label, action) {
  try {
    return await action();
  } catch (error) {
    event('error', `${label} failed: ${error.message}`);
    return undefined;
  }
}

// ---- rendering ----

const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });

function entry(kind, attrs, ...children) {
  const li = document.createElement('li');
  li.dataset.kind = kind;
  Object.assign(li.dataset, attrs);
  li.append(...children);
  const stick = els.log.scrollHeight - els.log.scrollTop - els.log.clientHeight < 40;
  els.log.append(li);
  if (stick) els.log.scrollTop = els.log.scrollHeight;
  return li;
}

const span = (cls, text) => Object.assign(document.createElement('span'), { className: cls, textContent: text });

function event(name, text) {
  entry('event', { event: name }, span('time', clock(Date.now())), span('text', text));
}

function addMessage(m) {
  const text = typeof m.data?.text === 'string' ? m.data.text : JSON.stringify(m.data);
  const li = entry('message', { room: m.room, from: m.from, id: m.id },
    span('time', clock(m.ts)), span('room', m.room), span('from', m.from), span('text', text));
  if (client?.welcome?.user === m.from) li.classList.add('mine');
}

// ---- presence: who is in the room last joined ----

let shownRoom = null;

async function showPresence(room) {
  shownRoom = room;
  const item = (cls, text, attrs = {}) => {
    const li = Object.assign(document.createElement('li'), { className: cls, textContent: text });
    Object.assign(li.dataset, attrs);
    return li;
  };
  try {
    const { count, members } = await client.presence(room);
    if (room !== shownRoom) return;
    els['presence-count'].textContent = `${count} in ${room}`;
    els.presence.replaceChildren(...members.map((m) => item(m.connections ? 'person' : 'person away',
      m.connections > 1 ? `${m.user} ×${m.connections}` : m.user, { user: m.user, connections: String(m.connections) })));
  } catch (error) {
    if (room !== shownRoom) return;
    els['presence-count'].textContent = '';
    els.presence.replaceChildren(item('empty', error.code === 'bad_request' ? `presence is off for ${room}` : `presence: ${error.message}`));
  }
}

function renderRooms() {
  const rooms = client ? [...client.rooms] : [];
  const item = (cls, text) => Object.assign(document.createElement('li'), { className: cls, textContent: text });
  els.rooms.replaceChildren(...(rooms.length ? rooms.map((r) => item('chip', r)) : [item('empty', 'no rooms joined')]));
}

setInterval(() => {
  if (!exp || !client || client.state === 'closed') { els.exp.textContent = '—'; return; }
  const left = Math.round(exp - Date.now() / 1000);
  els.exp.textContent = left > 0 ? `expires in ${left} s` : `expired ${-left} s ago`;
  els.exp.classList.toggle('warn', left < 60);
}, 1000);

// ---- controls ----

els.mint.addEventListener('click', () => run('mint', async () => {
  const token = await mint();
  els.token.value = token;
  showTokenBox('Minted at /dev/token; Connect uses it, refreshes mint new ones.');
  event('token', `minted a token for ${identity().user}, ttl ${identity().ttl} s`);
}));
els.connect.addEventListener('click', connect);
els.disconnect.addEventListener('click', () => client?.close());
els.join.addEventListener('click', () => run('join', async () => {
  const room = els.room.value.trim();
  await client.join(room);
  event('joined', `joined ${room}`);
  renderRooms();
  await showPresence(room);
}));
els.leave.addEventListener('click', () => run('leave', async () => {
  const room = els.room.value.trim();
  const done = client.leave(room);
  renderRooms();
  await done;
  event('leave', `left ${room}`);
}));
els.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = els.text.value;
  if (!text.trim() || els.send.disabled) return;
  run('send', async () => {
    await client.publish(els.room.value.trim(), { text });
    els.text.value = '';
  });
});
els.clear.addEventListener('click', () => els.log.replaceChildren());

// ---- configuration from the URL ----

const params = new URLSearchParams(location.search);
for (const key of ['user', 'roles', 'ttl', 'room']) if (params.has(key)) els[key].value = params.get(key);
const defaultUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
els.urls.value = params.get('urls') ?? params.get('url') ?? defaultUrl;
if (params.has('token')) {
  els.token.value = params.get('token');
  source = 'paste';
  showTokenBox('Token from the page URL.');
}
if (params.get('autoconnect') === '1') connect();
