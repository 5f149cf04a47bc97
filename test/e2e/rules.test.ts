/**
 * Rules files end to end: `wsprobe mock` and `listen --rules` against real `ws` clients, `connect --rules`
 * against a real `ws` server, and invalid files refused in one line. Order is asserted from what the
 * peers received, never from sleeps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, startCli, startServerCli } from './support/cli.js';
import { openClient, startServer } from './support/ws-peers.js';

const dir = mkdtempSync(join(tmpdir(), 'wsprobe-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function rulesFile(doc: unknown): string {
  const path = join(dir, `rules-${++files}.json`);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

const HEARTBEAT = '{"type":"heartbeat"}';

describe('wsprobe mock', () => {
  it('carries out every rule kind for a ws client: on connect, regex and JSON replies, a delay, heartbeats, a close after K', async () => {
    const rules = rulesFile({
      rules: [
        { on: 'connect', send: 'hello' },
        { match: '/^ping (?<n>\\d+)$/', send: 'pong {{$n}}' },
        { match: 'type=ping', send: { type: 'pong', id: '{{id}}', of: 'ping {{id}}' }, delay: 0.5 },
        { every: 0.2, send: { type: 'heartbeat' } },
        { after: 4, close: 4000, reason: 'enough' },
      ],
    });
    const server = await startServerCli(['mock', rules, '0', '--json']);
    const client = await openClient(server.url);
    const answers = () => client.messages.map((m) => m.data.toString()).filter((t) => t !== HEARTBEAT);
    const until = async (check: () => boolean) => {
      for (let n = client.messages.length + 1; !check(); n = client.messages.length + 1) {
        await client.waitForMessages(n);
      }
    };

    await until(() => answers().length >= 1);
    expect(answers()).toEqual(['hello']);
    // The JSON reply waits half a second: the regex reply to the message after it goes first.
    // Written together, so they reach the server together, however loaded the machine.
    await Promise.all([client.send('{"type":"ping","id":42}'), client.send('ping 8')]);
    await until(() => answers().length >= 3);
    expect(answers()).toEqual(['hello', 'pong 8', '{"type":"pong","id":42,"of":"ping 42"}']);
    await until(() => client.messages.some((m) => m.data.toString() === HEARTBEAT));
    await client.send('ping 9');
    await until(() => answers().length >= 4);
    // The fourth message: the server closes with the rule's code.
    await client.send('four');
    expect(await client.closed).toEqual({ code: 4000, reason: 'enough' });
    expect(answers()).toEqual(['hello', 'pong 8', '{"type":"pong","id":42,"of":"ping 42"}', 'pong 9']);
    expect(client.messages.every((m) => !m.isBinary)).toBe(true);

    server.child.kill('SIGTERM');
    const result = await server.result;
    expect(result.code).toBe(143);
    const events = jsonLines(result.out);
    const out = events.filter((e) => e.event === 'message' && e.dir === 'out');
    // Every message the client got is shown as sent, with the rule that sent it; nothing after the close.
    expect(out.map((e) => e.data)).toEqual(client.messages.map((m) => m.data.toString()));
    expect(out.map((e) => [e.conn, e.rule])).toEqual(
      client.messages.map((m) => {
        const text = m.data.toString();
        return [1, text === HEARTBEAT ? 4 : text === 'hello' ? 1 : text.startsWith('pong ') ? 2 : 3];
      }),
    );
    expect(events.find((e) => e.event === 'close')).toMatchObject({
      conn: 1,
      code: 4000,
      reason: 'enough',
      by: 'server',
    });
    expect(events.filter((e) => e.event === 'message' && e.dir === 'in').map((e) => e.data)).toEqual([
      '{"type":"ping","id":42}',
      'ping 8',
      'ping 9',
      'four',
    ]);
  });

  it('answers each client on its own, and a client that leaves stops its heartbeats', async () => {
    const rules = rulesFile({
      rules: [
        { match: '/^name (\\w+)$/', send: 'hi {{$1}}' },
        { every: 0.1, send: 'beat' },
      ],
    });
    const server = await startServerCli(['mock', rules, '0', '--json']);
    const [a, b] = await Promise.all([openClient(server.url), openClient(server.url)]);
    await a.send('name ada');
    await b.send('name bo');
    const reply = async (c: typeof a, n = 1) => {
      for (;;) {
        const got = c.messages.map((m) => m.data.toString()).filter((t) => t !== 'beat');
        if (got.length >= n) return got;
        await c.waitForMessages(c.messages.length + 1);
      }
    };
    expect(await reply(a)).toEqual(['hi ada']);
    expect(await reply(b)).toEqual(['hi bo']);
    a.ws.close(1000);
    await a.closed;
    await server.waitForOutput('"event":"close"');
    // b keeps beating after a has gone; a's beats stopped with its connection.
    const seen = b.messages.length;
    await b.waitForMessages(seen + 2);
    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    const closeAt = events.findIndex((e) => e.event === 'close' && e.conn === 1);
    expect(closeAt).toBeGreaterThan(0);
    expect(events.slice(closeAt).filter((e) => e.event === 'message' && e.conn === 1)).toEqual([]);
    expect(events.slice(closeAt).filter((e) => e.event === 'message' && e.conn === 2).length).toBeGreaterThanOrEqual(2);
  });
});

describe('listen --rules', () => {
  it('answers by the rules while piped lines still go to the client, each shown as sent', async () => {
    const rules = rulesFile({ rules: [{ match: 'op=add', send: { sum: '{{a}}', op: 'added {{a}}' } }] });
    const server = await startServerCli(['listen', '0', '--rules', rules, '--pretty'], { env: { NO_COLOR: '1' } });
    const client = await openClient(server.url);
    await client.send('{"op":"add","a":3}');
    expect((await client.message(0)).data.toString()).toBe('{"sum":3,"op":"added 3"}');
    server.child.stdin!.write('typed line\n');
    expect((await client.message(1)).data.toString()).toBe('typed line');
    await server.waitForOutput('typed line');
    server.child.kill('SIGTERM');
    const result = await server.result;
    expect(result.code).toBe(143);
    const shown = result.out;
    expect(shown).toContain('[#1] > {"sum": 3, "op": "added 3"}  (rule 1)');
    expect(shown).toMatch(/\[#1\] > typed line\n/);
  });
});

describe('echo --rules', () => {
  it('answers what a rule matches and echoes the rest, text and binary, in order', async () => {
    const rules = rulesFile({ rules: [{ match: '/^ping (\\d+)$/', send: 'pong {{$1}}' }] });
    const server = await startServerCli(['echo', '0', '--rules', rules, '--json']);
    const client = await openClient(server.url);
    await client.send('hello');
    await client.send('ping 3');
    await client.send(Buffer.from([1, 2]), { binary: true });
    const got = await client.waitForMessages(3);
    expect(got.map((m) => [m.isBinary, m.data.toString('hex')])).toEqual([
      [false, Buffer.from('hello').toString('hex')],
      [false, Buffer.from('pong 3').toString('hex')],
      [true, '0102'],
    ]);
    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    const out = events.filter((e) => e.event === 'message' && e.dir === 'out');
    expect(out.map((e) => [e.data, e.rule])).toEqual([
      ['hello', undefined],
      ['pong 3', 1],
      ['AQI=', undefined],
    ]);
  });
});

describe('connect --rules', () => {
  it("answers a server's app-level pings while the session goes on and typed lines are sent too", async () => {
    const rules = rulesFile({ rules: [{ match: 'type=ping', send: { type: 'pong', n: '{{n}}' } }] });
    const server = await startServer({ echo: false });
    const cli = startCli(['connect', server.url, '--rules', rules]);
    const ws = await server.nextConnection();
    ws.send('{"type":"ping","n":1}');
    await server.waitForMessages(1);
    cli.child.stdin!.write('typed\n');
    await server.waitForMessages(2);
    ws.send('{"type":"ping","n":2}');
    await server.waitForMessages(3);
    expect(server.received.map((m) => m.data.toString())).toEqual([
      '{"type":"pong","n":1}',
      'typed',
      '{"type":"pong","n":2}',
    ]);
    ws.close(1000, 'done');
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect(result.out).toBe('{"type":"ping","n":1}\n{"type":"ping","n":2}\n');
  });

  it('a rule closes the session with its code after K messages', async () => {
    const rules = rulesFile({ rules: [{ after: 2, close: 4001, reason: 'two is enough' }] });
    const server = await startServer({ echo: false });
    const cli = startCli(['connect', server.url, '--rules', rules, '--json', '--no-stdin', '--keep-open']);
    const ws = await server.nextConnection();
    ws.send('one');
    ws.send('two');
    expect(await server.waitForClose()).toEqual({ code: 4001, reason: 'two is enough' });
    const result = await cli.result;
    const events = jsonLines(result.out);
    expect(events.filter((e) => e.event === 'message').map((e) => e.data)).toEqual(['one', 'two']);
    expect(events.find((e) => e.event === 'close')).toMatchObject({ code: 4001, by: 'client' });
  });
});

describe('an invalid rules file is exit 2 with one line naming the rule', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"rules": [', /: not JSON: /],
    [
      'a misspelt field',
      {
        rules: [
          { on: 'connect', send: 'a' },
          { match: 'x', sned: 'y' },
        ],
      },
      /: rule 2 \(rules\[1\]\): unknown field "sned" \(did you mean "send"\?\)/,
    ],
    ['a bad regex', { rules: [{ match: '/(/', send: 'x' }] }, /: rule 1 \(rules\[0\]\): "match": invalid match regex/],
    [
      'a group the regex lacks',
      { rules: [{ match: '/^a(b)$/', send: '{{$2}}' }] },
      /: rule 1 \(rules\[0\]\): "send": \{\{\$2\}\} but the regex has 1 group/,
    ],
    [
      'a close code that cannot be sent',
      {
        rules: [
          { after: 1, send: 'x' },
          { after: 2, close: 1006 },
        ],
      },
      /: rule 2 \(rules\[1\]\): "close": invalid close code 1006/,
    ],
    [
      'an interval of 0',
      { rules: [{ every: 0, send: 'x' }] },
      /: rule 1 \(rules\[0\]\): "every": expected a number of seconds of at least 0\.01, got 0/,
    ],
  ];
  it.each(cases)('mock: %s', async (_name, doc, message) => {
    const path = rulesFile(doc);
    const r = await runCli(['mock', path, '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^wsprobe: rules file \S+rules-\d+\.json: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('(the format is in docs/rules.md)');
    expect(r.out).toBe('');
  });

  it('listen --rules and connect --rules refuse it the same way, before listening or connecting', async () => {
    const path = rulesFile({ rules: [{ on: 'connect', send: 'x', delay: 'soon' }] });
    const server = await startServer();
    for (const args of [
      ['listen', '0', '--rules', path],
      ['connect', server.url, '--rules', path],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean)).toEqual([
        `wsprobe: --rules ${path}: rule 1 (rules[0]): "delay": expected a number of seconds (0 or more), got "soon" (the format is in docs/rules.md)`,
      ]);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('a file that is not there is a usage error naming it', async () => {
    const r = await runCli(['mock', join(dir, 'missing.json'), '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/missing\.json: no such file \(ENOENT\)/);
  });
});
