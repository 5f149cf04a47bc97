/**
 * A real browser against the servers: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; no browser is downloaded) opens the `listen --console` page and chats through it,
 * and a page script echoes text and an ArrayBuffer through `wsprobe echo`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startServerCli } from './support/cli.js';
import { openClient } from './support/ws-peers.js';

const CHROMIUM = process.env.WSPROBE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let profile: string;
let browser: BrowserContext;
const pages: Page[] = [];

beforeAll(async () => {
  // Fail with a clear message, not a silent skip: CI installs it (.ci/run).
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (see .ci/run)`);
  profile = mkdtempSync(join(tmpdir(), 'wsprobe-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    httpCredentials: { username: 'ada', password: 'lovelace' },
  });
}, 60_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

interface WatchedPage {
  page: Page;
  /** Every URL the page requested, and every console error or uncaught exception it had. */
  requests: string[];
  problems: string[];
}

async function openPage(url?: string): Promise<WatchedPage> {
  const page = await browser.newPage();
  pages.push(page);
  const watched: WatchedPage = { page, requests: [], problems: [] };
  page.on('request', (r) => watched.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') watched.problems.push(m.text());
  });
  page.on('pageerror', (err) => watched.problems.push(err.message));
  if (url) await page.goto(url);
  return watched;
}

/** Polls what the page shows; generous for a loaded machine. */
function eventually<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 15_000, interval: 50 });
}

/** The texts of the page's log rows of one kind: `in`, `out` or `sys`. */
function logRows(page: Page, kind: 'in' | 'out' | 'sys') {
  return page.locator(`#log .row.${kind} .text`);
}

describe('in a real browser', () => {
  it('--console serves a chat page: the CLI prints what the page sends, the page shows what the CLI sends, a second page sees the broadcast', async () => {
    const server = await startServerCli(['listen', '0', '--console', '--broadcast', '-s', 'chat']);
    const httpUrl = server.url.replace('ws://', 'http://');
    await server.waitForOutput(`console: ${httpUrl}/`);

    const first = await openPage(`${httpUrl}/`);
    await eventually(() => first.page.textContent('#state')).toBe('connected (chat)');
    await first.page.fill('#message', 'hello from the browser');
    await first.page.click('#send');
    await server.waitForOutput('hello from the browser\n');
    await eventually(() => logRows(first.page, 'out').allTextContents()).toEqual(['hello from the browser']);

    server.child.stdin!.write('hello browser, this is the terminal\n');
    await eventually(() => logRows(first.page, 'in').allTextContents()).toEqual([
      'hello browser, this is the terminal',
    ]);

    const second = await openPage(`${httpUrl}/`);
    await eventually(() => second.page.textContent('#state')).toBe('connected (chat)');
    await first.page.fill('#message', 'anyone else here?');
    await first.page.press('#message', 'Enter');
    await eventually(() => logRows(second.page, 'in').allTextContents()).toEqual(['anyone else here?']);
    await second.page.fill('#message', 'yes, me');
    await second.page.click('#send');
    await eventually(() => logRows(first.page, 'in').allTextContents()).toEqual([
      'hello browser, this is the terminal',
      'yes, me',
    ]);
    await server.waitForOutput('yes, me\n');

    // A markup-looking message stays text: the page never parses what it receives as HTML.
    server.child.stdin!.write('<img src=x onerror="document.title=1"><b>bold?</b>\n');
    await eventually(() => logRows(second.page, 'in').last().textContent()).toBe(
      '<img src=x onerror="document.title=1"><b>bold?</b>',
    );
    expect(await second.page.locator('#log img, #log b').count()).toBe(0);

    // The server closing shows in the page's connection state.
    server.child.stdin!.write('/close 2 4000 see you\n');
    await eventually(() => second.page.textContent('#state')).toBe('closed 4000 "see you"');

    // Self-contained: nothing was fetched from anywhere but the server, and nothing went wrong.
    for (const { requests, problems } of [first, second]) {
      expect(requests.every((u) => u.startsWith(`${httpUrl}/`) || u.startsWith('data:'))).toBe(true);
      expect(problems).toEqual([]);
    }
    server.child.kill('SIGTERM');
    const result = await server.result;
    expect(result.code).toBe(143);
    expect(result.out).toBe('hello from the browser\nanyone else here?\nyes, me\n');
    expect(result.stderr).toMatch(
      /\[#1\] connected from 127\.0\.0\.1:\d+ to \/\?wsprobe-console \(subprotocol chat, permessage-deflate\)/,
    );
  });

  it('--console: the page says which client it is and who sent each message, sends binary, closes with a code, and wraps at word boundaries', async () => {
    const server = await startServerCli(['listen', '0', '--console', '--broadcast', '--json']);
    const httpUrl = server.url.replace('ws://', 'http://');
    const node = await openClient(server.url);
    await server.waitForOutput('"conn":1,"url"');
    const watched = await openPage(`${httpUrl}/`);
    const { page } = watched;
    await eventually(() => page.textContent('#me')).toBe('you are #2');
    await eventually(() => page.textContent('#state')).toBe('connected');

    // Who sent what: another client, and the person at the terminal.
    const received = () =>
      page.$$eval('#log .row.in', (rows) =>
        rows.map((row) => [row.querySelector('.who')?.textContent, row.querySelector('.text')?.textContent]),
      );
    await node.send('hi from #1');
    await eventually(received).toEqual([['#1', 'hi from #1']]);
    server.child.stdin!.write('hi from the terminal\n');
    await eventually(received).toEqual([
      ['#1', 'hi from #1'],
      ['server', 'hi from the terminal'],
    ]);
    expect((await node.message(0)).data.toString()).toBe('hi from the terminal');

    // Binary: in hex mode, and with /hex in text mode; the other client gets the bytes as binary.
    await page.selectOption('#mode', 'hex');
    await page.fill('#message', '00 ff 10');
    await page.click('#send');
    expect(await node.message(1)).toEqual({ data: Buffer.from([0x00, 0xff, 0x10]), isBinary: true });
    await page.selectOption('#mode', 'text');
    await page.fill('#message', '/hex 0a0b');
    await page.press('#message', 'Enter');
    expect(await node.message(2)).toEqual({ data: Buffer.from([0x0a, 0x0b]), isBinary: true });
    await eventually(() => logRows(page, 'out').allTextContents()).toEqual([
      'binary 3 bytes: 00 ff 10',
      'binary 2 bytes: 0a 0b',
    ]);
    // A binary message to the page shows as bytes, with its sender.
    await node.send(Buffer.from([1, 2, 254]), { binary: true });
    await eventually(received).toContainEqual(['#1', 'binary 3 bytes: 01 02 fe']);
    // Bad hex is one line on the page; nothing is sent.
    await page.fill('#message', '/hex zz');
    await page.press('#message', 'Enter');
    await eventually(() => page.locator('#log .row.sys.bad .text').allTextContents()).toEqual([
      'not hex bytes: "zz" (e.g. 00 ff 0a)',
    ]);

    // Long text wraps between words (a word is never split), and a token longer than a row still wraps.
    await page.setViewportSize({ width: 360, height: 640 });
    const words = 'the quick brown fox jumps over the lazy dog '.repeat(5);
    await node.send(`${words}${'x'.repeat(150)}`);
    await eventually(() => logRows(page, 'in').count()).toBe(4);
    const wrap = (await page.evaluate(`(() => {
      const body = [...document.querySelectorAll('#log .row.in .text')].at(-1);
      const text = body.firstChild;
      const split = [];
      const tops = new Set();
      for (const m of text.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, m.index);
        range.setEnd(text, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        if (m[0].length < 10 && rects.length !== 1) split.push(m[0]);
        for (const r of rects) tops.add(Math.round(r.top));
      }
      const log = document.getElementById('log');
      return { split, rows: tops.size, overflows: log.scrollWidth > log.clientWidth };
    })()`)) as { split: string[]; rows: number; overflows: boolean };
    expect(wrap.split).toEqual([]);
    expect(wrap.rows).toBeGreaterThanOrEqual(4);
    expect(wrap.overflows).toBe(false);

    // Closing with a code and a reason: from the close fields, and with /close typed in a second page.
    await page.fill('#close-code', '4001');
    await page.fill('#close-reason', 'page bye');
    await page.click('#close');
    await eventually(() => page.textContent('#state')).toBe('closed 4001 "page bye"');
    const second = await openPage(`${httpUrl}/`);
    await eventually(() => second.page.textContent('#me')).toBe('you are #3');
    await eventually(() => second.page.textContent('#state')).toBe('connected');
    await second.page.fill('#message', '/close 4002 typed bye');
    await second.page.press('#message', 'Enter');
    await eventually(() => second.page.textContent('#state')).toBe('closed 4002 "typed bye"');
    await server.waitForOutput('"reason":"typed bye"');

    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    expect(events.find((e) => e.event === 'close' && e.conn === 2)).toMatchObject({
      code: 4001,
      reason: 'page bye',
      by: 'client',
    });
    expect(events.find((e) => e.event === 'close' && e.conn === 3)).toMatchObject({
      code: 4002,
      reason: 'typed bye',
      by: 'client',
    });
    // The server saw the page's binary messages as binary, and relayed them as #2's.
    const fromPage = events.filter((e) => e.event === 'message' && e.conn === 2 && e.dir === 'in');
    expect(fromPage.map((e) => [e.type, e.data])).toEqual([
      ['binary', 'AP8Q'],
      ['binary', 'Cgs='],
    ]);
    expect(events.find((e) => e.event === 'message' && e.dir === 'out' && e.data === 'AP8Q')).toMatchObject({
      conn: 1,
      from: 2,
    });
    for (const { problems } of [watched, second]) expect(problems).toEqual([]);
  });

  it('a page script echoes a text and an ArrayBuffer through wsprobe echo, unchanged', async () => {
    const server = await startServerCli(['echo', '0', '--json']);
    // A page from the server's own origin (its 426 "this is a WebSocket server" answer will do).
    const { page } = await openPage(server.url.replace('ws://', 'http://'));
    expect(await page.textContent('body')).toContain('This is a WebSocket server (wsprobe)');
    const result = await page.evaluate(async (url) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      const next = () =>
        new Promise<unknown>((resolve) => ws.addEventListener('message', (e) => resolve(e.data), { once: true }));
      const text = 'héllo ✓ from a page script';
      ws.send(text);
      const textBack = await next();
      const bytes = new Uint8Array(70000).map((_, i) => (i * 31 + 7) % 256);
      ws.send(bytes.buffer);
      const binaryBack = await next();
      const closed = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => {
        ws.onclose = resolve;
      });
      ws.close(1000, 'page done');
      const close = await closed;
      return {
        textSame: textBack === text,
        binaryIsArrayBuffer: binaryBack instanceof ArrayBuffer,
        binarySame:
          binaryBack instanceof ArrayBuffer &&
          binaryBack.byteLength === bytes.length &&
          new Uint8Array(binaryBack).every((v, i) => v === bytes[i]),
        extensions: ws.extensions,
        close: { code: close.code, reason: close.reason, clean: close.wasClean },
      };
    }, server.url);
    expect(result).toEqual({
      textSame: true,
      binaryIsArrayBuffer: true,
      binarySame: true,
      // Chromium accepts the server's deflate terms: no context takeover, an 8 KiB window for its side.
      extensions:
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=13',
      close: { code: 1000, reason: 'page done', clean: true },
    });
    await server.waitForOutput('"event":"close"');
    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    expect(events.find((e) => e.event === 'request')?.headers).toMatchObject({
      'user-agent': expect.stringMatching(/Chrome\//),
    });
    const incoming = events.filter((e) => e.event === 'message' && e.dir === 'in');
    expect(incoming.map((e) => [e.type, e.size])).toEqual([
      ['text', Buffer.byteLength('héllo ✓ from a page script')],
      ['binary', 70000],
    ]);
    expect(events.find((e) => e.event === 'close')).toMatchObject({ code: 1000, reason: 'page done', by: 'client' });
  });

  it('--console with --auth: the page and its WebSocket both need the credentials, and the browser gets in with them', async () => {
    const server = await startServerCli(['listen', '0', '--console', '--auth', 'ada:lovelace']);
    const httpUrl = server.url.replace('ws://', 'http://');
    const denied = await fetch(`${httpUrl}/`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Basic realm="wsprobe"');
    const { page } = await openPage(`${httpUrl}/`);
    await eventually(() => page.textContent('#state')).toBe('connected');
    await page.fill('#message', 'authenticated hello');
    await page.click('#send');
    await server.waitForOutput('authenticated hello\n');
  });
});
