/**
 * Every row of the slash-command table (src/protocol/slash.ts COMMANDS) works in each place it is
 * declared: `connect`'s prompt (driven through a real pty) and `listen`'s piped stdin, each against real
 * `ws` peers. What the peer received (message type and bytes, ping, pong, close code) or what the CLI
 * printed (/help, /status, /clients) is asserted. A row added to the table without a case here fails.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode as decodeCbor } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { helpLines } from '../../src/output/status.js';
import { COMMANDS, existsIn, type SlashContext } from '../../src/protocol/slash.js';
import { onCleanup } from './support/cleanup.js';
import { startServerCli } from './support/cli.js';
import { startPty } from './support/pty.js';

const CONTEXTS: readonly SlashContext[] = ['client', 'server'];
const scratch = () => mkdtempSync(join(tmpdir(), 'wsprobe-slash-'));

interface Got {
  data: Buffer;
  isBinary: boolean;
}

/** A `ws` peer of the CLI: what it received, the pings and pongs, and how it was closed. */
interface Peer {
  messages: Got[];
  pings: string[];
  pongs: string[];
  /** Resolves once `n` messages have arrived. */
  messagesSoFar(n: number): Promise<Got[]>;
  /** Resolves once a ping or pong has arrived. */
  control(kind: 'ping' | 'pong'): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
  /** Sends a text message to the CLI. */
  send(text: string): void;
}

function record(ws: WebSocket): Peer {
  const messages: Got[] = [];
  const pings: string[] = [];
  const pongs: string[] = [];
  let changed: Array<() => void> = [];
  const notify = () => {
    for (const resolve of changed.splice(0)) resolve();
  };
  const until = async <T>(value: () => T | undefined): Promise<T> => {
    for (;;) {
      const got = value();
      if (got !== undefined) return got;
      await new Promise<void>((resolve) => changed.push(resolve));
    }
  };
  ws.on('message', (data: Buffer, isBinary) => {
    messages.push({ data, isBinary });
    notify();
  });
  ws.on('ping', (data: Buffer) => {
    pings.push(data.toString('utf8'));
    notify();
  });
  ws.on('pong', (data: Buffer) => {
    pongs.push(data.toString('utf8'));
    notify();
  });
  ws.on('error', () => {});
  onCleanup(() => {
    changed = [];
    ws.terminate();
  });
  return {
    messages,
    pings,
    pongs,
    messagesSoFar: (n) => until(() => (messages.length >= n ? messages : undefined)),
    control: (kind) => until(() => (kind === 'ping' ? pings : pongs)[0]),
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    send: (text) => ws.send(text),
  };
}

/** Where a command is typed: the CLI, its peers, and what it has printed. */
interface Place {
  context: SlashContext;
  peers: Peer[];
  /** Enters one line (Enter on the prompt, a line on the pipe). */
  line(text: string): void;
  /** Resolves once the CLI has printed `text`, with all it has printed. */
  printed(text: string): Promise<string>;
  exitCode(): Promise<number | null>;
}

/** `wsprobe connect` on a terminal, against a `ws` server that records what it gets. */
async function clientPlace(): Promise<Place> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  onCleanup(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  const connection = once(wss, 'connection') as Promise<[WebSocket]>;
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const cli = startPty(['connect', url, '--no-history'], { HOME: scratch() });
  const [ws] = await connection;
  const peer = record(ws);
  await cli.waitForScreen('connected to');
  return {
    context: 'client',
    peers: [peer],
    line: (text) => cli.type(`${text}\r`),
    printed: async (text) => (await cli.waitForScreen(text)).join('\n'),
    exitCode: () => cli.exit,
  };
}

/** `wsprobe listen` with piped stdin, and `n` `ws` clients (ids #1…#n). */
async function serverPlace(n: number): Promise<Place> {
  const server = await startServerCli(['listen', '0']);
  let stderr = '';
  server.child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const peers: Peer[] = [];
  for (let id = 1; id <= n; id++) {
    const ws = new WebSocket(server.url);
    peers.push(record(ws));
    await once(ws, 'open');
    await server.waitForOutput(`[#${id}] connected from`);
  }
  return {
    context: 'server',
    peers,
    line: (text) => server.child.stdin!.write(`${text}\n`),
    printed: async (text) => {
      await server.waitForOutput(text);
      return stderr;
    },
    exitCode: async () => (await server.result).code,
  };
}

const text = (data: string): Got => ({ data: Buffer.from(data), isBinary: false });
const binary = (bytes: number[]): Got => ({ data: Buffer.from(bytes), isBinary: true });

/** Types `line` and expects every peer to get exactly `got`, as its first message. */
function sends(line: string, got: Got) {
  return async (place: Place) => {
    place.line(line);
    for (const peer of place.peers) expect((await peer.messagesSoFar(1))[0]).toEqual(got);
  };
}

interface Case {
  /** How many clients a `listen` case needs (default 1); a `connect` case has its one server. */
  peers?: number;
  run(place: Place): Promise<void>;
}

/** One case per table row, for both places or per place. */
const CASES: Record<string, Partial<Record<SlashContext | 'both', Case>>> = {
  line: { both: { peers: 2, run: sends('hello there', text('hello there')) } },
  literal: { both: { run: sends('//not a command', text('/not a command')) } },
  text: { both: { run: sends('/text  two  spaces ', text(' two  spaces ')) } },
  hex: { both: { run: sends('/hex 00 ff 0a', binary([0x00, 0xff, 0x0a])) } },
  base64: { both: { run: sends('/base64 AAH/', binary([0x00, 0x01, 0xff])) } },
  json: { both: { run: sends('/json { "a" : [1, 2] }', text('{"a":[1,2]}')) } },
  // {"a":1} as MessagePack: fixmap of 1, fixstr "a", 1.
  msgpack: { both: { run: sends('/msgpack {"a":1}', binary([0x81, 0xa1, 0x61, 0x01])) } },
  cbor: {
    both: {
      async run(place) {
        place.line('/cbor {"a":1}');
        for (const peer of place.peers) {
          const [got] = await peer.messagesSoFar(1);
          // A CBOR map may be written with a longer length than needed: compare what it decodes to.
          expect(got.isBinary).toBe(true);
          expect(decodeCbor(got.data)).toEqual({ a: 1 });
        }
      },
    },
  },
  filter: {
    client: {
      async run(place) {
        place.line('/filter /^keep/');
        await place.printed('filter: only received messages matching /^keep/ are shown');
        const [peer] = place.peers;
        peer.send('drop this');
        peer.send('keep this');
        // Sent after 'drop this' on one socket: once it shows, 'drop this' has been seen and left out.
        await place.printed('< keep this');
        place.line('/filter off');
        await place.printed('filter off: every received message is shown');
        peer.send('after off');
        const out = await place.printed('< after off');
        expect(out).not.toContain('drop this');
      },
    },
  },
  file: {
    both: {
      run(place) {
        const path = join(scratch(), 'payload.bin');
        writeFileSync(path, Buffer.from([1, 2, 3, 0xfe]));
        return sends(`/file ${path}`, binary([1, 2, 3, 0xfe]))(place);
      },
    },
  },
  ping: {
    both: {
      async run(place) {
        place.line('/ping are you there');
        expect(await place.peers[0].control('ping')).toBe('are you there');
      },
    },
  },
  pong: {
    both: {
      async run(place) {
        place.line('/pong unasked');
        expect(await place.peers[0].control('pong')).toBe('unasked');
      },
    },
  },
  close: {
    client: {
      async run(place) {
        place.line('/close 4000 done');
        expect(await place.peers[0].closed).toEqual({ code: 4000, reason: 'done' });
        expect(await place.exitCode()).toBe(0);
      },
    },
  },
  to: {
    server: {
      peers: 2,
      async run(place) {
        const [one, two] = place.peers;
        place.line('/to 2 just for two');
        place.line('for everyone');
        expect(await two.messagesSoFar(2)).toEqual([text('just for two'), text('for everyone')]);
        expect(await one.messagesSoFar(1)).toEqual([text('for everyone')]);
      },
    },
  },
  clients: {
    server: {
      peers: 2,
      async run(place) {
        place.line('/clients');
        const out = await place.printed('#2  127.0.0.1:');
        expect(out).toMatch(
          /^2 clients:\n {2}id {2}remote {11}path {2}subprotocol {2,}up {2}in {2}out {2}bytes in {2}bytes out\n {2}#1 {2}127\.0\.0\.1:\d+ {2}\/ {5}- {12,}[\d.]+s {3}0 {4}0 {9}0 {10}0$/m,
        );
      },
    },
  },
  'close-client': {
    server: {
      peers: 2,
      async run(place) {
        const [one, two] = place.peers;
        place.line('/close 2 4001 bye');
        expect(await two.closed).toEqual({ code: 4001, reason: 'bye' });
        place.line('/close all 4002');
        expect(await one.closed).toEqual({ code: 4002, reason: '' });
      },
    },
  },
  status: {
    client: {
      async run(place) {
        place.line('/status');
        const out = await place.printed('last RTT:');
        expect(out).toContain('state:       OPEN');
        expect(out).toMatch(/^url: {9}ws:\/\/127\.0\.0\.1:\d+\/$/m);
      },
    },
    server: {
      async run(place) {
        place.line('/status');
        const out = await place.printed('waiting to be sent');
        expect(out).toMatch(/^listening on ws:\/\/127\.0\.0\.1:\d+, 1 client connected$/m);
      },
    },
  },
  help: {
    both: {
      async run(place) {
        place.line('/help');
        const lines = helpLines(place.context);
        const out = (await place.printed(lines.at(-1)!)).split('\n');
        // What the CLI shows is the table's list for this place, every row of it, on its own line.
        for (const line of lines) expect(out).toContain(line);
        for (const spec of COMMANDS.filter((s) => !existsIn(s, place.context))) {
          expect(out.some((l) => l.startsWith(`${spec.usage} `))).toBe(false);
        }
      },
    },
  },
  quit: {
    both: {
      async run(place) {
        place.line('/quit');
        expect((await place.peers[0].closed).code).toBe(1000);
        expect(await place.exitCode()).toBe(0);
      },
    },
  },
};

const declared = COMMANDS.flatMap((spec) =>
  CONTEXTS.filter((context) => existsIn(spec, context)).map((context) => [spec.id, spec.usage, context] as const),
);

describe('the slash-command table', () => {
  it.each(declared)(
    '%s (%s) works in a %s',
    async (id, usage, context) => {
      const test = CASES[id]?.[context] ?? CASES[id]?.both;
      if (!test) throw new Error(`no case for "${usage}" in a ${context}: add one to CASES in this file`);
      const place = context === 'client' ? await clientPlace() : await serverPlace(test.peers ?? 1);
      await test.run(place);
    },
    15_000,
  );

  it('has no case for a row or a place the table does not declare', () => {
    for (const [id, cases] of Object.entries(CASES)) {
      const spec = COMMANDS.find((s) => s.id === id);
      expect(spec, `case "${id}" has no row`).toBeDefined();
      for (const context of Object.keys(cases)) {
        if (context !== 'both') expect(existsIn(spec!, context as SlashContext), `${id} in a ${context}`).toBe(true);
        else expect(spec!.where, `${id} is not in both places`).toBe('both');
      }
    }
  });

  // A command that exists only in the other place is an unknown command here, and nothing is sent.
  const elsewhere = COMMANDS.filter((spec) => spec.names.length > 0).flatMap((spec) =>
    CONTEXTS.filter(
      (context) =>
        !COMMANDS.some((other) => existsIn(other, context) && other.names.some((n) => spec.names.includes(n))),
    ).map((context) => [spec.names[0], context] as const),
  );

  it.each(elsewhere)(
    '/%s is unknown in a %s',
    async (name, context) => {
      const place = context === 'client' ? await clientPlace() : await serverPlace(1);
      place.line(`/${name} 1 x`);
      await place.printed(`unknown command "/${name}"`);
      place.line('marker');
      expect((await place.peers[0].messagesSoFar(1))[0]).toEqual(text('marker'));
    },
    15_000,
  );
});
