/** The shared dispatcher (src/input/dispatch.ts): one meaning per command, whatever the target. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CommandTarget, runInputLine } from '../../src/input/dispatch.js';
import { helpLines } from '../../src/output/status.js';
import type { SlashContext } from '../../src/protocol/slash.js';

/** A target that writes down every call. */
function recorder(context: SlashContext, nobodyThere = false) {
  const calls: unknown[][] = [];
  const target: CommandTarget = {
    context,
    send: (message) => calls.push(['send', message.data.toString('latin1'), message.binary]),
    control(kind, data) {
      if (nobodyThere) return 'no client connected';
      calls.push([kind, data.toString()]);
      return null;
    },
    status: () => ['status line'],
    quit: () => calls.push(['quit']),
    reply: (lines) => calls.push(['reply', lines]),
    problem: (message) => calls.push(['problem', message]),
    own: (command) => calls.push(['own', command.cmd]),
  };
  return { target, calls };
}

const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-dispatch-')), 'f.bin');
writeFileSync(file, Buffer.from([0xde, 0xad]));

describe.each<SlashContext>(['client', 'server'])('runInputLine in a %s', (context) => {
  it.each<[string, unknown[]]>([
    ['hi', ['send', 'hi', false]],
    ['//x', ['send', '/x', false]],
    ['/hex 00ff', ['send', '\x00\xff', true]],
    ['/json {"a" : 1}', ['send', '{"a":1}', false]],
    [`/file ${file}`, ['send', '\xde\xad', true]],
    ['/ping p', ['ping', 'p']],
    ['/pong q', ['pong', 'q']],
    ['/status', ['reply', ['status line']]],
    ['/help', ['reply', helpLines(context)]],
    ['/quit', ['quit']],
    ['/nope', ['problem', expect.stringContaining('unknown command "/nope"')]],
    ['/file /nonexistent/x', ['problem', '/file: cannot read /nonexistent/x: no such file (ENOENT)']],
  ])('%s', (line, call) => {
    const { target, calls } = recorder(context);
    runInputLine(line, target);
    expect(calls).toEqual([call]);
  });

  it('says why a ping or pong could not go, and sends nothing', () => {
    const { target, calls } = recorder(context, true);
    runInputLine('/ping', target);
    expect(calls).toEqual([['problem', '/ping: no client connected']]);
  });

  it('lets `before` see a good command before it is carried out, and a bad one never', () => {
    const { target, calls } = recorder(context);
    runInputLine('hello', target, (command) => calls.push(['before', command.cmd]));
    runInputLine('/hex z', target, (command) => calls.push(['before', command.cmd]));
    expect(calls.map((c) => c[0])).toEqual(['before', 'send', 'problem']);
  });
});

describe('commands only one place has go to the target as its own', () => {
  it.each<[SlashContext, string, string]>([
    ['client', '/close 4000', 'close'],
    ['server', '/close all', 'close-client'],
    ['server', '/to 1 x', 'to'],
    ['server', '/clients', 'clients'],
  ])('%s: %s', (context, line, cmd) => {
    const { target, calls } = recorder(context);
    runInputLine(line, target);
    expect(calls).toEqual([['own', cmd]]);
  });
});
