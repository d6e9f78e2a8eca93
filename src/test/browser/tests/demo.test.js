// The demo page and the client library in a real Chromium, against two gateway nodes and Redis.
// The tests share one cluster and run in order; the failover test kills node-a, so it runs last.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, joinRoom, logEntry, openDemo, send, waitForLog, waitForNode, waitForState, WAIT_MS } from './browser.js';
import { mintToken, OUT_DIR, startCluster } from './cluster.js';

const ROOM = 'chat:demo';
const HISTORY_ROOM = 'hist:demo';

describe('Switchboard demo page on a two-node cluster', { timeout: 240_000 }, () => {
  let cluster;
  let browser;
  const opened = [];

  before(async () => {
    cluster = await startCluster();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  /** Opens the demo for `user`, connected to the given node URL(s), with a fresh token. */
  async function openAs(user, urls, { ttl = 3600, hook = true, room = ROOM } = {}) {
    const url = cluster.pageUrl({ user, roles: 'user', ttl, room, urls, token: mintToken({ sub: user, ttl }), autoconnect: 1 });
    const demo = await openDemo(browser, url, {
      getToken: hook ? ({ user: sub }) => mintToken({ sub, ttl: 3600 }) : undefined,
    });
    opened.push(demo);
    return demo;
  }

  /** Runs `body`; on failure adds every open page's log to the error, and closes the pages anyway. */
  async function withPages(body) {
    try {
      await body();
      for (const demo of opened) assert.deepEqual(demo.problems, [], 'no script errors on the page');
    } catch (error) {
      const dumps = await Promise.all(opened.map((d) => d.logDump().catch(() => '(page gone)')));
      error.message += `\n--- page logs ---\n${dumps.join('\n---\n')}`;
      throw error;
    } finally {
      await Promise.all(opened.splice(0).map((d) => d.close().catch(() => {})));
    }
  }

  test('a message sent on node-a reaches a page on node-b, and the sender', { timeout: 60_000 }, () => withPages(async () => {
    const { page: a } = await openAs('alice', cluster.nodes.a.ws);
    const { page: b } = await openAs('bob', cluster.nodes.b.ws);
    await waitForNode(a, 'node-a');
    await waitForNode(b, 'node-b');
    await waitForLog(a, { kind: 'event', event: 'welcome', text: 'node-a' });
    await joinRoom(a, ROOM);
    await joinRoom(b, ROOM);

    await send(a, 'hello from alice on node-a');
    for (const page of [b, a]) {
      const entry = logEntry(page, { kind: 'message', text: 'hello from alice on node-a' });
      await entry.waitFor({ timeout: WAIT_MS });
      assert.equal(await entry.getAttribute('data-from'), 'alice');
      assert.equal(await entry.getAttribute('data-room'), ROOM);
    }
    assert.equal(await a.inputValue('#text'), '', 'the composer is cleared once the publish is accepted');
  }));

  test('the page shows who is in the room on both nodes, and follows a user leaving', { timeout: 60_000 }, () => withPages(async () => {
    const room = 'chat:who';
    const { page: a } = await openAs('carol', cluster.nodes.a.ws, { room });
    const { page: b } = await openAs('dave', cluster.nodes.b.ws, { room });
    await waitForNode(a, 'node-a');
    await waitForNode(b, 'node-b');
    await joinRoom(a, room);
    await joinRoom(b, room);
    for (const page of [a, b]) {
      for (const user of ['carol', 'dave']) {
        await page.locator(`#presence li[data-user="${user}"][data-connections="1"]`).waitFor({ timeout: WAIT_MS });
      }
      assert.equal(await page.textContent('#presence-count'), `2 in ${room}`);
    }
    await waitForLog(a, { kind: 'event', event: 'presence', text: `dave joined ${room}` });
    await b.click('#leave');
    // after the grace, carol's page hears dave parted and lists carol alone
    await waitForLog(a, { kind: 'event', event: 'presence', text: `dave left ${room}` });
    await a.locator('#presence li[data-user="dave"]').waitFor({ state: 'detached', timeout: WAIT_MS });
    assert.equal(await a.textContent('#presence-count'), `1 in ${room}`);
  }));

  test('the library refreshes an expiring token in place, with no reconnect', { timeout: 60_000 }, () => withPages(async () => {
    // ttl 8 s, expiring-notice 5 s: `expiring` comes ~3 s in; without a refresh the node would close
    // the socket with 4401 at exp + 1 s of skew.
    const { page } = await openAs('carol', cluster.nodes.a.ws, { ttl: 8 });
    await waitForNode(page, 'node-a');
    await joinRoom(page, ROOM);
    const first = await page.evaluate(() => window.switchboardClient.welcome);

    await waitForLog(page, { kind: 'event', event: 'expiring' });
    await waitForLog(page, { kind: 'event', event: 'refresh', text: 'refresh ok' });

    // Past the original expiry plus skew (and a margin): the same connection is still open.
    await page.waitForFunction((exp) => Date.now() / 1000 > exp + 2.5, first.exp, { timeout: WAIT_MS });
    const now = await page.evaluate(() => ({ welcome: window.switchboardClient.welcome, state: window.switchboardClient.state }));
    assert.equal(now.state, 'open');
    assert.equal(now.welcome.connection, first.connection, 'same connection id: no reconnect happened');
    assert.equal(await page.textContent('#connection'), first.connection);
    assert.equal(await logEntry(page, { kind: 'event', event: 'state', text: 'reconnecting' }).count(), 0);

    await send(page, 'still here after the original expiry');
    await waitForLog(page, { kind: 'message', text: 'still here after the original expiry' });
    assert.equal(await logEntry(page, { kind: 'event', event: 'error' }).count(), 0);
  }));

  test('promise API: replies resolve, error replies reject with their code', { timeout: 60_000 }, () => withPages(async () => {
    const { page } = await openAs('dave', cluster.nodes.b.ws, { hook: false });
    await waitForNode(page, 'node-b');
    const result = await page.evaluate(async ({ url, token }) => {
      const { SwitchboardClient } = await import('/client/switchboard.js');
      const client = new SwitchboardClient({ url, getToken: async () => token });
      const states = [];
      client.addEventListener('state', (e) => states.push(e.detail.state));
      const outcome = (promise) => promise.then((reply) => ({ ok: reply }), (e) => ({ code: e.code, reason: e.reason }));
      const welcome = await client.connect();
      const notJoined = await outcome(client.publish('chat:lib', { n: 1 }));
      const forbidden = await outcome(client.join('secret:lib'));
      const joined = await outcome(client.join('chat:lib'));
      const received = new Promise((resolve) => client.addEventListener('message', (e) => resolve(e.detail), { once: true }));
      const published = await outcome(client.publish('chat:lib', { n: 2 }));
      const message = await received;
      const rooms = [...client.rooms];
      const left = await outcome(client.leave('chat:lib'));
      client.close();
      const afterClose = await outcome(client.join('chat:lib'));
      return { welcome, notJoined, forbidden, joined, published, message, rooms, left, afterClose, states, final: client.state };
    }, { url: cluster.nodes.b.ws, token: mintToken({ sub: 'dave' }) });

    assert.equal(result.welcome.node, 'node-b');
    assert.equal(result.welcome.user, 'dave');
    assert.equal(result.notJoined.code, 'not_joined');
    assert.equal(result.forbidden.code, 'forbidden');
    assert.equal(result.joined.ok.status, 'ok');
    assert.match(result.published.ok.id, /.+/);
    assert.equal(result.message.id, result.published.ok.id);
    assert.deepEqual(result.message.data, { n: 2 });
    assert.deepEqual(result.rooms, ['chat:lib']);
    assert.equal(result.left.ok.status, 'ok');
    assert.equal(result.afterClose.code, 'not_connected');
    assert.deepEqual(result.states, ['connecting', 'open', 'closed']);
    assert.equal(result.final, 'closed');
  }));

  test('a failed refresh lets the token expire: close 4401, then a reconnect with a new token', { timeout: 60_000 }, () => withPages(async () => {
    const url = cluster.pageUrl({ user: 'frank', ttl: 8, room: ROOM, urls: cluster.nodes.a.ws, token: mintToken({ sub: 'frank', ttl: 8 }), autoconnect: 1 });
    let calls = 0;
    // First call (the refresh on `expiring`): a token for someone else, which the node refuses.
    // Second call (before reconnecting after the 4401): a good one.
    const demo = await openDemo(browser, url, { getToken: () => mintToken({ sub: ++calls === 1 ? 'mallory' : 'frank' }) });
    opened.push(demo);
    const { page } = demo;
    await waitForNode(page, 'node-a');
    await joinRoom(page, ROOM);
    const first = await page.evaluate(() => window.switchboardClient.welcome.connection);

    await waitForLog(page, { kind: 'event', event: 'error', text: 'token is for another user' });
    await waitForLog(page, { kind: 'event', event: 'state', text: 'close 4401' });
    await page.waitForFunction((id) => window.switchboardClient.state === 'open'
      && window.switchboardClient.welcome.connection !== id, first, { timeout: WAIT_MS });
    assert.equal(calls, 2);
    assert.deepEqual(await page.evaluate(() => [...window.switchboardClient.rooms]), [ROOM], 'the room is re-joined');
    await send(page, 'back with a new token');
    await waitForLog(page, { kind: 'message', text: 'back with a new token' });
    demo.problems.length = 0;   // the refused refresh is reported, on purpose
  }));

  test('an operator disconnect (4403) closes the client for good', { timeout: 60_000 }, () => withPages(async () => {
    const { page } = await openAs('erin', cluster.nodes.b.ws);
    await waitForNode(page, 'node-b');
    const response = await fetch(`${cluster.nodes.b.http}/api/v1/users/erin/disconnect`, {
      method: 'POST', headers: { authorization: `Bearer ${mintToken({ sub: 'ops', roles: ['service'] })}` },
    });
    assert.equal(response.status, 202);
    await waitForState(page, 'closed');
    await waitForLog(page, { kind: 'event', event: 'state', text: 'close 4403' });
    // Asserting an absence needs a bounded wait: longer than the first reconnect delay (<= 250 ms).
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => window.switchboardClient.state), 'closed');
    assert.equal(await logEntry(page, { kind: 'event', event: 'welcome' }).count(), 1, 'no reconnect');
    assert.equal(await page.isEnabled('#connect'), true);
  }));

  test('screenshot of the demo page after a conversation', { timeout: 60_000 }, () => withPages(async () => {
    const { page: a } = await openAs('alice', cluster.nodes.a.ws);
    const { page: b } = await openAs('bob', cluster.nodes.b.ws);
    await waitForNode(a, 'node-a');
    await waitForNode(b, 'node-b');
    await joinRoom(a, ROOM);
    await joinRoom(b, ROOM);
    const lines = [[a, 'Hi Bob! I am on node-a.'], [b, 'Hello Alice, node-b here.'], [a, 'Redis carries us across nodes.'], [b, 'Nice, same room, two gateways.']];
    for (const [page, text] of lines) {
      await send(page, text);
      await waitForLog(a, { kind: 'message', text });   // in order, and seen on both sides
      await waitForLog(b, { kind: 'message', text });
    }
    const file = path.join(OUT_DIR, 'demo.png');
    fs.mkdirSync(OUT_DIR, { recursive: true });
    await a.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 10_000, `screenshot written to ${file}`);
  }));

  // Kills node-a: keep this test last.
  test('after node-a is killed, the page fails over to node-b and re-joins its room', { timeout: 90_000 }, () => withPages(async () => {
    const { page: a } = await openAs('alice', [cluster.nodes.a.ws, cluster.nodes.b.ws]);
    const { page: b } = await openAs('bob', cluster.nodes.b.ws);
    await waitForNode(a, 'node-a');
    await waitForNode(b, 'node-b');
    await joinRoom(a, ROOM);
    await joinRoom(b, ROOM);
    // a history room too: what is published while node-a is dead is replayed after the failover
    const publish = (page, text) => page.evaluate(([room, data]) => window.switchboardClient.publish(room, data), [HISTORY_ROOM, text]);
    await a.evaluate((room) => window.switchboardClient.join(room), HISTORY_ROOM);
    await b.evaluate((room) => window.switchboardClient.join(room), HISTORY_ROOM);
    await publish(b, 'history before the kill');
    await waitForLog(a, { kind: 'message', text: 'history before the kill' });
    const before = await a.evaluate(() => window.switchboardClient.welcome.connection);

    await cluster.kill('a');
    for (let i = 1; i <= 3; i += 1) await publish(b, `history while node-a is dead ${i}`);

    await waitForLog(a, { kind: 'event', event: 'state', text: 'reconnecting' });
    await waitForNode(a, 'node-b', 30_000);   // 'open' comes once every room is re-joined
    const after = await a.evaluate(() => ({ connection: window.switchboardClient.welcome.connection, rooms: [...window.switchboardClient.rooms] }));
    assert.notEqual(after.connection, before, 'a new connection');
    assert.deepEqual(after.rooms, [ROOM, HISTORY_ROOM]);
    for (let i = 1; i <= 3; i += 1) await waitForLog(a, { kind: 'message', text: `history while node-a is dead ${i}` });
    assert.equal(await logEntry(a, { kind: 'event', event: 'unrecovered' }).count(), 0, 'recovered on node-b');
    assert.equal(await logEntry(a, { kind: 'message', text: 'history before the kill' }).count(), 1, 'no duplicate');
    assert.equal(await logEntry(a, { kind: 'event', event: 'welcome', text: 'node-b' }).count(), 1);

    await send(b, 'published on node-b after the failover');
    await waitForLog(a, { kind: 'message', text: 'published on node-b after the failover' });
    await waitForState(a, 'open');
  }));
});
