/**
 * Issue 13, item 5: a page on another origin read the lines piped into `listen`, including lines
 * queued before any client connected. Now the servers let in, by default, clients that send no Origin
 * (command-line tools) and pages from loopback origins on any port, and refuse every other origin with
 * 403 and one line naming --origin; `--origin '*'` lets everyone in; a server on every interface says
 * so in one line. Real peers: `ws` clients sending an Origin, and headless Chromium loading a page from
 * a foreign origin (a name mapped to 127.0.0.1 by the browser) and from http://localhost.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, startServerCli } from './support/cli.js';
import { openClient, refusedHandshake } from './support/ws-peers.js';

const CHROMIUM = process.env.WSPROBE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** The whole line (pipe mode prefixes a client's lines with its id). */
const ONE_REFUSAL_LINE =
  /^\[#\d+\] wsprobe: refused client #\d+ \(127\.0\.0\.1:\d+\): 403 Forbidden: origin "https:\/\/evil\.example" is not allowed: .*--origin https:\/\/evil\.example, or any with --origin '\*'\)$/gm;

describe('origin checks by default (item 5)', () => {
  it('a foreign origin gets 403 and one line naming --origin; no Origin and loopback pages get in', async () => {
    const server = await startServerCli(['listen', '0']);
    server.child.stdin!.write('queued before anyone came\n');
    const evil = await refusedHandshake(server.url, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body).toContain('--origin');
    // Pages from this machine's loopback, on any port, and clients without Origin get in.
    const cli = await openClient(server.url);
    expect((await cli.message(0)).data.toString()).toBe('queued before anyone came');
    for (const origin of ['http://localhost:3000', 'https://127.0.0.1:5173', 'http://[::1]:8081']) {
      const page = await openClient(server.url, [], { origin });
      server.child.stdin!.write(`for ${origin}\n`);
      expect((await page.message(0)).data.toString()).toBe(`for ${origin}`);
    }
    // A name that resolves to 127.0.0.1 is not a loopback origin (DNS rebinding), nor is "null".
    for (const origin of ['http://localhost.evil.example:3000', 'null']) {
      expect((await refusedHandshake(server.url, { origin })).status).toBe(403);
    }
    server.child.kill('SIGTERM');
    const { stderr, code } = await server.result;
    expect(code).toBe(143);
    expect(stderr.match(ONE_REFUSAL_LINE)).toHaveLength(1);
    expect(stderr.match(/403 Forbidden/g)).toHaveLength(3);
  });

  it("--origin '*' lets every origin in; --json reports a refusal as a handshake error event", async () => {
    const open = await startServerCli(['echo', '0', '--origin', '*']);
    const evil = await openClient(open.url, [], { origin: 'https://evil.example' });
    await evil.send('anyone');
    expect((await evil.message(0)).data.toString()).toBe('anyone');
    const cli = await runCli(['connect', open.url, '-x', 'no origin either', '-w', '0.3']);
    expect(cli.out).toBe('no origin either\n');

    const strict = await startServerCli(['echo', '0', '--json']);
    expect((await refusedHandshake(strict.url, { origin: 'https://evil.example' })).status).toBe(403);
    await strict.waitForOutput('"kind":"handshake"');
    strict.child.kill('SIGTERM');
    const refusal = jsonLines((await strict.result).out).find((e) => e.event === 'error');
    expect(refusal).toMatchObject({ kind: 'handshake', message: expect.stringMatching(/403 Forbidden: origin/) });
  });

  it('--host 0.0.0.0 prints one warning line naming what is exposed and how to restrict it', async () => {
    const server = await startServerCli(['listen', '0', '--host', '0.0.0.0', '--no-stdin', '-q']);
    await server.waitForOutput('warning');
    server.child.kill('SIGTERM');
    const { stderr } = await server.result;
    const warnings = stderr.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toEqual([
      `wsprobe: warning: listening on every interface (0.0.0.0): anyone who can reach this machine on port ${server.port} can connect and get what you type or pipe; use --host 127.0.0.1 to keep it local, or require --auth user:password`,
    ]);
    const local = await startServerCli(['echo', '0']);
    local.child.kill('SIGTERM');
    expect((await local.result).stderr).not.toContain('warning');
  });
});

/** One page, served on 127.0.0.1: it opens a WebSocket to `?ws=` and records what happens. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>probe</title><script>
window.got = []; window.state = 'connecting';
const ws = new WebSocket(new URLSearchParams(location.search).get('ws'));
ws.onopen = () => { window.state = 'open'; };
ws.onmessage = (e) => { window.got.push(String(e.data)); };
ws.onclose = (e) => { window.state = 'closed ' + e.code; };
</script>`;

describe('in a real browser (item 5)', () => {
  let profile: string;
  let browser: BrowserContext;
  let pages: Server;
  let pagePort: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (see .ci/run)`);
    pages = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pagePort = (pages.address() as AddressInfo).port;
    profile = mkdtempSync(join(tmpdir(), 'wsprobe-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // evil.test is a foreign origin whose page happens to come from this machine.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP evil.test 127.0.0.1'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    pages?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('a page from another origin cannot read lines piped into listen; a page from localhost gets them', async () => {
    const server = await startServerCli(['listen', '0']);
    server.child.stdin!.write('secret queued before any client\n');
    const evil = await browser.newPage();
    await evil.goto(`http://evil.test:${pagePort}/?ws=${encodeURIComponent(server.url)}`);
    await expect
      .poll(() => evil.evaluate(() => (globalThis as unknown as { state: string }).state))
      .toBe('closed 1006');
    await server.waitForOutput('403 Forbidden: origin "http://evil.test');

    const local = await browser.newPage();
    await local.goto(`http://localhost:${pagePort}/?ws=${encodeURIComponent(server.url)}`);
    await expect
      .poll(() => local.evaluate(() => (globalThis as unknown as { got: string[] }).got))
      .toEqual(['secret queued before any client']);
    expect(await evil.evaluate(() => (globalThis as unknown as { got: string[] }).got)).toEqual([]);
    server.child.kill('SIGTERM');
    const { stderr } = await server.result;
    expect(stderr).toMatch(
      /wsprobe: refused client #1 \(127\.0\.0\.1:\d+\): 403 Forbidden: origin "http:\/\/evil\.test:\d+" is not allowed: .*--origin http:\/\/evil\.test:\d+,/,
    );
    expect(stderr).toContain('[#2] connected from');
  });
});
