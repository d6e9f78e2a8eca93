// Chromium (Debian's, never a downloaded one) driven by playwright-core, and helpers for the demo page.
import { chromium } from 'playwright-core';

export const WAIT_MS = 15_000;   // bound of every wait for something the page should show

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Opens the demo page with the given query. `getToken(identity)`, when given, is installed as
 * window.switchboardGetToken (the page's hook for fresh tokens on refresh and reconnect).
 */
export async function openDemo(browser, url, { getToken, viewport = { width: 1280, height: 820 } } = {}) {
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => msg.type() === 'error' && !/WebSocket connection .* failed/.test(msg.text())
    && problems.push(`console: ${msg.text()}`));
  if (getToken) await page.exposeFunction('switchboardGetToken', getToken);
  await page.goto(url);
  return {
    page,
    problems,
    close: () => context.close(),
    /** Every log entry as "kind|event|text", for failure messages. */
    logDump: () => page.$$eval('#log li', (items) => items.map((li) => `${li.dataset.kind}|${li.dataset.event ?? ''}|${li.textContent}`).join('\n')),
  };
}

export const waitForState = (page, state, timeout = WAIT_MS) =>
  page.waitForFunction((s) => document.querySelector('#state').dataset.state === s, state, { timeout });

export const waitForNode = (page, node, timeout = WAIT_MS) =>
  page.waitForFunction((n) => document.querySelector('#state').dataset.state === 'open'
    && document.querySelector('#node').textContent === n, node, { timeout });

/** Waits for a log entry of a kind ('message'/'event'), optionally an event name and a text. */
export function logEntry(page, { kind, event, text }) {
  const selector = `#log li[data-kind="${kind}"]${event ? `[data-event="${event}"]` : ''}`;
  return page.locator(selector, text ? { hasText: text } : {});
}

export const waitForLog = (page, what, timeout = WAIT_MS) => logEntry(page, what).first().waitFor({ timeout });

export async function joinRoom(page, room) {
  await page.fill('#room', room);
  await page.click('#join');
  await waitForLog(page, { kind: 'event', event: 'joined', text: room });
}

export async function send(page, text) {
  await page.fill('#text', text);
  await page.click('#send');
}
