/**
 * The attack of secrets printed (issue 13, item 11), against real peers: a URL's `user:password` and a
 * `?token=`, a proxy's credentials (in --proxy and in HTTP_PROXY), a malformed --auth or -H. The server
 * still receives the real credentials (ws sends a URL's user:password as Basic auth) and the real query,
 * while nothing printed — pretty, pipe, --json, -W, error lines — holds them, unless --show-secrets.
 */
import { describe, expect, it } from 'vitest';
import { type CliResult, jsonLines, runCli } from './support/cli.js';
import { deadPort } from './support/raw-server.js';
import { startServer } from './support/ws-peers.js';

const PASSWORD = 'PaSsW0rdXyz';
const TOKEN = 'ToK3nXyz';
const BASIC = Buffer.from(`alice:${PASSWORD}`).toString('base64');

function everything(r: CliResult): string {
  return `${r.out}\n${r.stderr}`;
}

function expectHidden(r: CliResult, secrets: string[]): void {
  for (const secret of secrets) expect(everything(r), `${secret} was printed`).not.toContain(secret);
}

describe('secrets printed: a URL with user:password and ?token= against a real server', () => {
  async function serverAndUrl() {
    const server = await startServer();
    return { server, url: `ws://alice:${PASSWORD}@127.0.0.1:${server.port}/chat?token=${TOKEN}&room=1` };
  }

  it.each([
    ['pipe -v', ['-v']],
    ['--pretty -v', ['--pretty', '--no-color', '-v']],
    ['--json -v', ['--json', '-v']],
    ['-W %{url}', ['-q', '-W', '%{url}\\n']],
    ['-W %{url:raw}', ['-q', '-W', '%{url:raw}\\n']],
  ])('%s: the server gets them, nothing printed shows them', async (_, args) => {
    const { server, url } = await serverAndUrl();
    const r = await runCli(['connect', url, '-x', 'hi', '-w', '0', ...args]);
    expect(r.code).toBe(0);
    // The connection used the real URL: Basic auth from the user information, the token in the query.
    expect(server.requests[0].headers.authorization).toBe(`Basic ${BASIC}`);
    expect(server.requests[0].url).toBe(`/chat?token=${TOKEN}&room=1`);
    expectHidden(r, [PASSWORD, TOKEN, BASIC]);
    expect(everything(r)).toContain(`alice:****@127.0.0.1:${server.port}/chat?token=****&room=1`);
  });

  it('--json: the connecting, request and open events carry the masked URL', async () => {
    const { server, url } = await serverAndUrl();
    const r = await runCli(['connect', url, '-x', 'hi', '-w', '0', '--json', '-v']);
    const masked = `ws://alice:****@127.0.0.1:${server.port}/chat?token=****&room=1`;
    const events = jsonLines(r.out);
    for (const name of ['connecting', 'request', 'open']) {
      expect(events.find((e) => e.event === name)).toMatchObject({ url: masked });
    }
    expect(events.find((e) => e.event === 'request')).toMatchObject({ headers: { authorization: 'Basic ****' } });
  });

  it('--show-secrets shows them', async () => {
    const { url } = await serverAndUrl();
    const r = await runCli(['connect', url, '-x', 'hi', '-w', '0', '-v', '--show-secrets', '-W', '%{url}\\n']);
    expect(r.out).toContain(url);
    expect(r.stderr).toContain(`connected to ${url}`);
  });

  it.each([
    ['pipe', []],
    ['--json', ['--json']],
    ['--pretty', ['--pretty', '--no-color']],
  ])('the error line of a refused connection masks them (%s)', async (_, args) => {
    const url = `ws://alice:${PASSWORD}@127.0.0.1:${await deadPort()}/?access_token=${TOKEN}`;
    const r = await runCli(['connect', url, '--no-stdin', ...args]);
    expect(r.code).toBe(3);
    expectHidden(r, [PASSWORD, TOKEN]);
    expect(r.stderr).toMatch(
      /^wsprobe: cannot connect to ws:\/\/alice:\*\*\*\*@127\.0\.0\.1:\d+\/\?access_token=\*\*\*\*: connection refused/,
    );
  });

  it('a URL that does not parse is masked in its usage error', async () => {
    const r = await runCli(['connect', `ws://alice:${PASSWORD}@[bad`, '--no-stdin']);
    expect(r.code).toBe(2);
    expectHidden(r, [PASSWORD]);
    expect(r.stderr).toBe('wsprobe: invalid URL "ws://alice:****@[bad"\n');
  });
});

describe('secrets printed: proxy credentials', () => {
  const PROXY_PW = 'Pr0xyPwXyz';

  it('--proxy with credentials that does not parse: the usage error masks them', async () => {
    const r = await runCli(['connect', 'ws://127.0.0.1:1/', '--no-stdin', '--proxy', `http://pu:${PROXY_PW}@[bad`]);
    expect(r.code).toBe(2);
    expectHidden(r, [PROXY_PW]);
    expect(r.stderr).toBe('wsprobe: --proxy: invalid proxy URL "http://pu:****@[bad"\n');
  });

  it.each([
    ['HTTP_PROXY', 'ws'],
    ['http_proxy', 'ws'],
    ['HTTPS_PROXY', 'wss'],
  ])('%s with credentials that does not parse: masked, and named', async (variable, scheme) => {
    // A "/" in a password typed raw ends the host: the URL no longer parses.
    const r = await runCli(['connect', `${scheme}://127.0.0.1:1/`, '--no-stdin', '--json'], {
      env: { [variable]: `http://pu:${PROXY_PW}/x@proxy.test:3128` },
    });
    expect(r.code).toBe(2);
    expectHidden(r, [PROXY_PW]);
    expect(r.stderr).toBe(`wsprobe: --proxy: invalid proxy URL "http://pu:****@proxy.test:3128" (from ${variable})\n`);
  });

  it('a proxy that cannot be reached: its credentials are not in the error', async () => {
    const port = await deadPort();
    const r = await runCli([
      'connect',
      'ws://127.0.0.1:1/',
      '--no-stdin',
      '--proxy',
      `http://pu:${PROXY_PW}@127.0.0.1:${port}`,
    ]);
    expect(r.code).toBe(3);
    expectHidden(r, [PROXY_PW]);
  });
});

describe('secrets printed: a malformed --auth or -H echoed back', () => {
  const URL = 'ws://127.0.0.1:1/';
  it.each([
    ['listen --auth without a colon', ['listen', '0', '--auth', 'S3cretAuthPw'], ['S3cretAuthPw']],
    ['echo --auth=… without a colon', ['echo', '0', '--auth=S3cretAuthPw'], ['S3cretAuthPw']],
    ['-H without a colon', ['connect', URL, '-H', 'Authorization Bearer HdrT0ken'], ['HdrT0ken']],
    ['-H with a name that is not one', ['connect', URL, '-H', 'Authorization Bearer HdrT0ken: x'], ['HdrT0ken']],
    ['-H with a line break in its value', ['connect', URL, '-H', 'X-Api-Key: HdrT0ken\r\nX: y'], ['HdrT0ken']],
    ['-H attached to the option', ['connect', URL, '-HAuthorization Bearer HdrT0ken'], ['HdrT0ken']],
  ])('%s: one usage line, the secret masked', async (_, args, secrets) => {
    for (const json of [false, true]) {
      const r = await runCli(json ? [...args, '--json'] : args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('****');
      expectHidden(r, secrets);
    }
  });

  it('--show-secrets shows what was typed', async () => {
    const r = await runCli(['listen', '0', '--auth', 'S3cretAuthPw', '--show-secrets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('S3cretAuthPw');
  });
});

describe('secrets printed: on a terminal', () => {
  it('the connecting spinner and the prompt show the URL masked; /status too', async () => {
    const { startPty } = await import('./support/pty.js');
    const server = await startServer();
    const url = `ws://ada:sekrit-pw@127.0.0.1:${server.port}/feed?token=sekrit-token`;
    const cli = startPty(['connect', url, '--no-history']);
    await cli.waitForScreen('connected to');
    cli.type('/status\r');
    await cli.waitForScreen('state:');
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    expect(cli.raw()).not.toContain('sekrit');
    expect(cli.raw()).toContain('ada:****@');
  });
});
