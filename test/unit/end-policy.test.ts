/**
 * The end-of-session policy, rule by rule. Every ending rule of SPEC/README "How a client session ends",
 * "Reconnecting", "CI smoke checks" and "Exit codes" is a named row below:
 *
 *  R1  input ends → everything queued is sent, then close after -w of silence (default 1 s)
 *  R2  -w 0 → close as soon as the input is written
 *  R3  every received message restarts the -w timer
 *  R4  --keep-open → after input ends, wait for the peer to close
 *  R5  --count n → close after n received messages; what arrives while closing is not shown
 *  R6  --timeout → give up: the connection is aborted, exit 124
 *  R7  --expect (in order) → close with 1000 once all have matched, exit 0
 *  R8  --expect waits for its matches past -w unless -w was given
 *  R9  --expect not met when the connection ends → 8, naming the pattern and the last messages
 *  R10 --expect not met when --timeout passes → 124, explained
 *  R11 --expect-close <code> → wait for the peer's close; 0 for that code, 7 otherwise (explained)
 *  R12 the peer closes with 1000/1001/1005 → 0; with another code → 7; with 1002/1007/1009/1010 → 6
 *  R13 we close and the handshake completes → 0; the peer never answers our close → 6
 *  R14 a lost connection (no close frame) → 6; a protocol violation → 6
 *  R15 connect, TLS and handshake failures → 3, 4, 5
 *  R16 --reconnect [n]: lost or failed connections are retried with backoff; n attempts in all over
 *      the run, then the last error's code; the back-off delay starts small again after a connection opens
 *  R17 --reconnect: a refusal, TLS error, violation or a close frame from the peer is final
 *  R18 --timeout during the reconnect back-off → 124 with a timeout error
 *  R19 Ctrl+D at the prompt (interactive) closes at once with --close-code; while connecting, once open
 *  R20 a bad --input hex/base64 line: what came before is delivered, then a normal close, exit 2
 *  R21 stdout's reader went away → close normally, exit by the close
 *  R22 signals: SIGINT 130, SIGTERM 143, SIGHUP 129; close 1001 best-effort and finish at once, in
 *      every state (connecting, open, closing, back-off), whatever else was pending
 *  R23 the closing codes: --close-code / --close-reason are what the idle and count closes send
 *  R24 time spent waiting for our own output (stdout backed up, the peer not read) is not the peer's
 *      silence: the -w timer stands still while stdout is backed up and starts again, in full, once
 *      it drains; messages shown meanwhile do not restart it
 *  R25 -w ends a session in which nothing was received → a `nothing-received` hint before the close
 *      (not when something arrived, not for other closes); the exit code is the close's
 *  R26 --exec: the program exiting is the input ending (flush, then -w, then --close-code); one that
 *      failed (non-zero exit, a signal we did not send) makes an otherwise good session exit 10; a
 *      session that ended badly keeps its own code; a program ending after the session changes nothing
 */
import { describe, expect, it } from 'vitest';
import { type EndAction, type EndInput, EndPolicy, type EndRules } from '../../src/protocol/end-policy.js';
import { parseExpectJson, parseExpectPattern } from '../../src/protocol/expect.js';
import type { SessionEnd } from '../../src/protocol/outcome.js';
import { endRules as rules } from './fixtures.js';

const text = (source: string) => {
  const parsed = parseExpectPattern(source);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

const closedBy = (by: 'client' | 'server' | 'none', code: number, clean = by !== 'none'): EndInput => ({
  type: 'ended',
  end: { type: 'closed', close: { code, reason: '', by, clean } },
});
const failed = (
  kind: 'connect' | 'tls' | 'handshake' | 'lost' | 'protocol' | 'timeout',
  message: string = kind,
): EndInput => ({
  type: 'ended',
  end: { type: 'failed', failure: { kind, message } } as SessionEnd,
});

const OPENED: EndInput = { type: 'opened' };
const INPUT_ENDED: EndInput = { type: 'input-ended' };
const FLUSHED: EndInput = { type: 'input-flushed' };
const IDLE: EndInput = { type: 'idle' };
const DEADLINE: EndInput = { type: 'deadline' };
const msg = (t?: string): EndInput => ({ type: 'message', text: t });
const BLOCKED: EndInput = { type: 'output-blocked' };
const DRAINED: EndInput = { type: 'output-drained' };

/** Feeds the inputs in order; returns every action, and the exit code if the session finished. */
function play(r: EndRules, inputs: EndInput[]) {
  const policy = new EndPolicy(r, () => 0.5);
  const actions: EndAction[] = [];
  for (const input of inputs) actions.push(...policy.handle(input));
  const finish = actions.find((a) => a.do === 'finish');
  return {
    actions: actions.filter((a) => a.do !== 'clear-idle').map((a) => a.do),
    all: actions,
    exit: finish?.do === 'finish' ? finish.decision.exitCode : undefined,
    report: finish?.do === 'finish' ? finish.decision.report : undefined,
    close: actions.find((a) => a.do === 'close'),
    finished: policy.finished,
  };
}

interface Row {
  rules?: Partial<EndRules>;
  inputs: EndInput[];
  /** The actions, in order (clear-idle left out). */
  actions: string[];
  exit?: number;
}

describe('EndPolicy', () => {
  it.each<[string, Row]>([
    // R1
    [
      'R1 input ends while open: flush, then arm the -w timer',
      { inputs: [OPENED, INPUT_ENDED, FLUSHED], actions: ['flush', 'arm-idle'] },
    ],
    [
      'R1 input ended before the connection opened: flush once open',
      { inputs: [INPUT_ENDED, OPENED, FLUSHED], actions: ['flush', 'arm-idle'] },
    ],
    [
      'R1 the -w timer fires: close, then the handshake completes → 0',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, IDLE, closedBy('client', 1000)],
        actions: ['flush', 'arm-idle', 'nothing-received', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R2 -w 0 closes as soon as the input is written',
      { rules: { waitMs: 0 }, inputs: [OPENED, INPUT_ENDED, FLUSHED], actions: ['flush', 'close'] },
    ],
    [
      'R3 a message while the -w timer runs restarts it',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg('a'), msg('b')],
        actions: ['flush', 'arm-idle', 'arm-idle', 'arm-idle'],
      },
    ],
    ['R3 a message before input ends arms nothing', { inputs: [OPENED, msg('a')], actions: [] }],
    [
      'R4 --keep-open: input ends, nothing is armed; the peer closes with 1000 → 0',
      {
        rules: { keepOpen: true },
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg('a'), closedBy('server', 1000)],
        actions: ['flush', 'finish'],
        exit: 0,
      },
    ],
    [
      'R5 --count 2: the second message closes and hides what follows',
      {
        rules: { count: 2 },
        inputs: [OPENED, msg('a'), msg('b'), msg('c'), closedBy('client', 1000)],
        actions: ['hide-incoming', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R5 --count counts binary messages too',
      { rules: { count: 1 }, inputs: [OPENED, msg()], actions: ['hide-incoming', 'close'] },
    ],
    [
      'R6 --timeout while open aborts the connection; the abort ends it → 124',
      {
        rules: { timeoutSeconds: 1 },
        inputs: [OPENED, DEADLINE, failed('timeout')],
        actions: ['abort', 'finish'],
        exit: 124,
      },
    ],
    [
      'R6 --timeout while connecting aborts the attempt → 124',
      { rules: { timeoutSeconds: 1 }, inputs: [DEADLINE, failed('timeout')], actions: ['abort', 'finish'], exit: 124 },
    ],
    [
      'R7 --expect matched in order closes with 1000 → 0',
      {
        rules: { expect: [text('a'), text('/b+/')] },
        inputs: [OPENED, msg('b'), msg('a'), msg('bb'), closedBy('client', 1000)],
        actions: ['close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R8 --expect pending: input ending arms no -w timer',
      { rules: { expect: [text('x')] }, inputs: [OPENED, INPUT_ENDED, FLUSHED], actions: ['flush'] },
    ],
    [
      'R8 --expect pending with an explicit -w: the -w timer is armed',
      {
        rules: { expect: [text('x')], waitGiven: true },
        inputs: [OPENED, INPUT_ENDED, FLUSHED],
        actions: ['flush', 'arm-idle'],
      },
    ],
    [
      'R9 --expect not met when the peer closes → 8',
      {
        rules: { expect: [text('x')] },
        inputs: [OPENED, msg('y'), closedBy('server', 1000)],
        actions: ['finish'],
        exit: 8,
      },
    ],
    [
      'R9 --expect not met when the connection is lost → 8',
      { rules: { expect: [text('x')] }, inputs: [OPENED, failed('lost')], actions: ['finish'], exit: 8 },
    ],
    [
      'R9 --expect with a connect failure keeps the connect code → 3',
      { rules: { expect: [text('x')] }, inputs: [failed('connect')], actions: ['finish'], exit: 3 },
    ],
    [
      'R10 --expect not met when --timeout passes → 124',
      {
        rules: { expect: [text('x')], timeoutSeconds: 1 },
        inputs: [OPENED, DEADLINE, failed('timeout')],
        actions: ['abort', 'finish'],
        exit: 124,
      },
    ],
    [
      'R5+R7 --count with --expect: the count closes first, the expectation is unmet → 8',
      {
        rules: { count: 1, expect: [text('x')] },
        inputs: [OPENED, msg('y'), msg('x'), closedBy('client', 1000)],
        actions: ['hide-incoming', 'close', 'finish'],
        exit: 8,
      },
    ],
    [
      'R5+R7 --count with --expect: the match closes before the count',
      {
        rules: { count: 1, expect: [text('x')] },
        inputs: [OPENED, msg('x'), closedBy('client', 1000)],
        actions: ['close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R11 --expect-close 4000: input ending arms nothing, the peer closes 4000 → 0',
      {
        rules: { expectClose: 4000 },
        inputs: [OPENED, INPUT_ENDED, FLUSHED, closedBy('server', 4000)],
        actions: ['flush', 'finish'],
        exit: 0,
      },
    ],
    [
      'R11 --expect-close 4000 and the peer closes with 1000 → 7',
      { rules: { expectClose: 4000 }, inputs: [OPENED, closedBy('server', 1000)], actions: ['finish'], exit: 7 },
    ],
    [
      'R11 --expect-close with --expect: a match does not close',
      {
        rules: { expectClose: 4000, expect: [text('x')] },
        inputs: [OPENED, msg('x'), closedBy('server', 4000)],
        actions: ['finish'],
        exit: 0,
      },
    ],
    ['R12 the peer closes with 1001 → 0', { inputs: [OPENED, closedBy('server', 1001)], actions: ['finish'], exit: 0 }],
    ['R12 the peer closes with 1005 → 0', { inputs: [OPENED, closedBy('server', 1005)], actions: ['finish'], exit: 0 }],
    ['R12 the peer closes with 4001 → 7', { inputs: [OPENED, closedBy('server', 4001)], actions: ['finish'], exit: 7 }],
    ['R12 the peer closes with 1011 → 7', { inputs: [OPENED, closedBy('server', 1011)], actions: ['finish'], exit: 7 }],
    ['R12 the peer closes with 1002 → 6', { inputs: [OPENED, closedBy('server', 1002)], actions: ['finish'], exit: 6 }],
    [
      'R13 a peer close during our close: the peer closed first from its side, 1000 → 0',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg('a'), IDLE, closedBy('server', 1000)],
        actions: ['flush', 'arm-idle', 'arm-idle', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R13 our close is never answered → 6',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg('a'), IDLE, failed('lost')],
        actions: ['flush', 'arm-idle', 'arm-idle', 'close', 'finish'],
        exit: 6,
      },
    ],
    ['R14 the connection is lost → 6', { inputs: [OPENED, closedBy('none', 1006)], actions: ['finish'], exit: 6 }],
    [
      'R14 a protocol violation by the peer → 6',
      { inputs: [OPENED, failed('protocol')], actions: ['finish'], exit: 6 },
    ],
    ['R15 cannot connect → 3', { inputs: [failed('connect')], actions: ['finish'], exit: 3 }],
    ['R15 TLS failure → 4', { inputs: [failed('tls')], actions: ['finish'], exit: 4 }],
    ['R15 handshake rejected → 5', { inputs: [failed('handshake')], actions: ['finish'], exit: 5 }],
    [
      'R16 --reconnect 2: a lost connection backs off and connects again',
      {
        rules: { reconnect: 2 },
        inputs: [OPENED, closedBy('none', 1006), { type: 'backoff-over' }],
        actions: ['backoff', 'connect'],
      },
    ],
    [
      'R16 --reconnect 2: after two failed attempts in a row, the last error → 3',
      {
        rules: { reconnect: 2 },
        inputs: [
          failed('connect'),
          { type: 'backoff-over' },
          failed('connect'),
          { type: 'backoff-over' },
          failed('connect'),
        ],
        actions: ['backoff', 'connect', 'backoff', 'connect', 'finish'],
        exit: 3,
      },
    ],
    [
      'R16 --reconnect 1: the count is over the whole run, a connection that opens does not start it again',
      {
        rules: { reconnect: 1 },
        inputs: [failed('connect'), { type: 'backoff-over' }, OPENED, failed('lost')],
        actions: ['backoff', 'connect', 'finish'],
        exit: 6,
      },
    ],
    [
      'R16 --reconnect 2: a server that drops every connection gets two more tries, then the loss → 6',
      {
        rules: { reconnect: 2 },
        inputs: [
          OPENED,
          failed('lost'),
          { type: 'backoff-over' },
          OPENED,
          failed('lost'),
          { type: 'backoff-over' },
          OPENED,
          failed('lost'),
        ],
        actions: ['backoff', 'connect', 'backoff', 'connect', 'finish'],
        exit: 6,
      },
    ],
    [
      'R16 --reconnect without a number keeps trying',
      {
        rules: { reconnect: true },
        inputs: [failed('connect'), { type: 'backoff-over' }, failed('connect')],
        actions: ['backoff', 'connect', 'backoff'],
      },
    ],
    [
      'R17 --reconnect: a close frame from the peer is final → 7',
      { rules: { reconnect: 3 }, inputs: [OPENED, closedBy('server', 4000)], actions: ['finish'], exit: 7 },
    ],
    [
      'R17 --reconnect: a refused handshake is final → 5',
      { rules: { reconnect: 3 }, inputs: [failed('handshake')], actions: ['finish'], exit: 5 },
    ],
    [
      'R17 --reconnect: a TLS error is final → 4',
      { rules: { reconnect: 3 }, inputs: [failed('tls')], actions: ['finish'], exit: 4 },
    ],
    [
      'R17 --reconnect: a protocol violation is final → 6',
      { rules: { reconnect: 3 }, inputs: [OPENED, failed('protocol')], actions: ['finish'], exit: 6 },
    ],
    [
      'R18 --timeout during the reconnect back-off → 124',
      {
        rules: { reconnect: 3, timeoutSeconds: 2 },
        inputs: [failed('connect'), DEADLINE],
        actions: ['backoff', 'finish'],
        exit: 124,
      },
    ],
    [
      'R18 --timeout aborting a connection is not retried → 124',
      {
        rules: { reconnect: 3, timeoutSeconds: 2 },
        inputs: [OPENED, DEADLINE, failed('timeout')],
        actions: ['abort', 'finish'],
        exit: 124,
      },
    ],
    [
      'R19 Ctrl+D at the prompt closes at once, whatever -w says',
      {
        rules: { interactive: true, waitMs: 5000 },
        inputs: [OPENED, INPUT_ENDED, FLUSHED, closedBy('client', 1000)],
        actions: ['flush', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R19 Ctrl+D while connecting closes once open',
      { rules: { interactive: true }, inputs: [INPUT_ENDED, OPENED, FLUSHED], actions: ['flush', 'close'] },
    ],
    [
      'R20 a bad input line: what was queued is flushed, then a normal close → 2',
      {
        rules: { waitMs: 0 },
        inputs: [OPENED, { type: 'bad-input' }, FLUSHED, closedBy('client', 1000)],
        actions: ['flush', 'close', 'finish'],
        exit: 2,
      },
    ],
    [
      'R21 stdout went away: close normally, exit by the close → 0',
      { inputs: [OPENED, { type: 'output-gone' }, closedBy('client', 1000)], actions: ['close', 'finish'], exit: 0 },
    ],
    [
      'R22 SIGINT while connecting → leave, 130',
      { inputs: [{ type: 'signal', signal: 'SIGINT' }], actions: ['leave', 'finish'], exit: 130 },
    ],
    [
      'R22 SIGINT while open → leave, 130',
      { inputs: [OPENED, { type: 'signal', signal: 'SIGINT' }], actions: ['leave', 'finish'], exit: 130 },
    ],
    [
      'R22 SIGTERM while open → leave, 143',
      { inputs: [OPENED, { type: 'signal', signal: 'SIGTERM' }], actions: ['leave', 'finish'], exit: 143 },
    ],
    [
      'R22 SIGHUP while open → leave, 129',
      { inputs: [OPENED, { type: 'signal', signal: 'SIGHUP' }], actions: ['leave', 'finish'], exit: 129 },
    ],
    [
      'R22 SIGINT while closing (our close sent) → leave, 130',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg('a'), IDLE, { type: 'signal', signal: 'SIGINT' }],
        actions: ['flush', 'arm-idle', 'arm-idle', 'close', 'leave', 'finish'],
        exit: 130,
      },
    ],
    [
      'R22 SIGINT during the reconnect back-off → leave, 130',
      {
        rules: { reconnect: 3 },
        inputs: [failed('connect'), { type: 'signal', signal: 'SIGINT' }],
        actions: ['backoff', 'leave', 'finish'],
        exit: 130,
      },
    ],
    [
      'R22 SIGINT with an --expect pending → 130, not 8',
      {
        rules: { expect: [text('x')] },
        inputs: [OPENED, { type: 'signal', signal: 'SIGINT' }],
        actions: ['leave', 'finish'],
        exit: 130,
      },
    ],
    [
      'R22 nothing after a signal changes the outcome',
      {
        inputs: [OPENED, { type: 'signal', signal: 'SIGTERM' }, closedBy('none', 1006), IDLE],
        actions: ['leave', 'finish'],
        exit: 143,
      },
    ],
    [
      'R24 stdout backs up while the -w timer runs: the timer is stopped',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, BLOCKED],
        actions: ['flush', 'arm-idle'],
      },
    ],
    [
      'R24 stdout drains: the -w timer starts again in full; idle then closes → 0',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg('a'), BLOCKED, DRAINED, IDLE, closedBy('client', 1000)],
        actions: ['flush', 'arm-idle', 'arm-idle', 'arm-idle', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R24 input ends while stdout is backed up: the -w timer waits for it to drain',
      {
        inputs: [OPENED, BLOCKED, INPUT_ENDED, FLUSHED, msg('a'), DRAINED],
        actions: ['flush', 'arm-idle'],
      },
    ],
    [
      'R24 messages shown while stdout is backed up do not restart the -w timer',
      { inputs: [OPENED, INPUT_ENDED, FLUSHED, BLOCKED, msg('a'), msg('b')], actions: ['flush', 'arm-idle'] },
    ],
    [
      'R24 stdout backing up before input ends arms nothing',
      { inputs: [OPENED, BLOCKED, DRAINED, msg('a')], actions: [] },
    ],
    [
      'R24 --keep-open: stdout draining arms no -w timer',
      { rules: { keepOpen: true }, inputs: [OPENED, INPUT_ENDED, FLUSHED, BLOCKED, DRAINED], actions: ['flush'] },
    ],
    [
      'R24 -w 0 closes at once even while stdout is backed up (the close handshake keeps reading)',
      { rules: { waitMs: 0 }, inputs: [OPENED, BLOCKED, INPUT_ENDED, FLUSHED], actions: ['flush', 'close'] },
    ],
    [
      'R24 a signal while stdout is backed up → leave, 143',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, BLOCKED, { type: 'signal', signal: 'SIGTERM' }],
        actions: ['flush', 'arm-idle', 'leave', 'finish'],
        exit: 143,
      },
    ],
  ])('%s', (_, row) => {
    const result = play(rules(row.rules), row.inputs);
    expect(result.actions).toEqual(row.actions);
    expect(result.exit).toBe(row.exit);
  });

  const EXITED_OK: EndInput = { type: 'program-exited', failed: false };
  const EXITED_FAILED: EndInput = { type: 'program-exited', failed: true };

  it.each<[string, Row]>([
    [
      'R26 the program exits 0: as input ending — flush, -w, close; the handshake completes → 0',
      {
        inputs: [OPENED, msg('ok'), EXITED_OK, FLUSHED, IDLE, closedBy('client', 1000)],
        actions: ['flush', 'arm-idle', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R26 the program exits before the connection opens: its output is flushed once open',
      {
        rules: { waitMs: 0 },
        inputs: [EXITED_OK, OPENED, FLUSHED, closedBy('client', 1000)],
        actions: ['flush', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R26 the program fails: the session closes as usual, then exit 10',
      {
        rules: { waitMs: 0 },
        inputs: [OPENED, EXITED_FAILED, FLUSHED, closedBy('client', 1000)],
        actions: ['flush', 'close', 'finish'],
        exit: 10,
      },
    ],
    [
      'R26 the program failed but the server closed with 4000: the close decides → 7',
      {
        inputs: [OPENED, EXITED_FAILED, FLUSHED, closedBy('server', 4000)],
        actions: ['flush', 'arm-idle', 'finish'],
        exit: 7,
      },
    ],
    [
      'R26 the server closes first: the session ends by the close; the program ending later changes nothing',
      {
        inputs: [OPENED, closedBy('server', 1000), EXITED_FAILED],
        actions: ['finish'],
        exit: 0,
      },
    ],
    [
      'R26 --keep-open: the program exiting waits for the server to close',
      {
        rules: { keepOpen: true },
        inputs: [OPENED, EXITED_OK, FLUSHED, closedBy('server', 1000)],
        actions: ['flush', 'finish'],
        exit: 0,
      },
    ],
  ])('%s', (_, row) => {
    const result = play(rules(row.rules), row.inputs);
    expect(result.actions).toEqual(row.actions);
    expect(result.exit).toBe(row.exit);
  });

  it.each<[string, Row]>([
    [
      'R25 -w ends a silent session: the hint, then the close → 0',
      {
        rules: { waitMs: 2000 },
        inputs: [OPENED, INPUT_ENDED, FLUSHED, IDLE, closedBy('client', 1000)],
        actions: ['flush', 'arm-idle', 'nothing-received', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R25 something was received: no hint',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg(), IDLE],
        actions: ['flush', 'arm-idle', 'arm-idle', 'close'],
      },
    ],
    [
      'R25 received on an earlier connection of the run: no hint',
      {
        rules: { reconnect: 1 },
        inputs: [OPENED, msg('a'), failed('lost'), { type: 'backoff-over' }, OPENED, INPUT_ENDED, FLUSHED, IDLE],
        actions: ['backoff', 'connect', 'flush', 'arm-idle', 'close'],
      },
    ],
    [
      'R25 -w 0 closes at once: no hint',
      { rules: { waitMs: 0 }, inputs: [OPENED, INPUT_ENDED, FLUSHED], actions: ['flush', 'close'] },
    ],
    [
      'R25 --count closes: no hint',
      {
        rules: { count: 1 },
        inputs: [OPENED, INPUT_ENDED, FLUSHED, msg('a')],
        actions: ['flush', 'arm-idle', 'hide-incoming', 'close'],
      },
    ],
    [
      'R25 an idle firing while already closing: no hint',
      {
        inputs: [OPENED, INPUT_ENDED, FLUSHED, { type: 'output-gone' }, IDLE],
        actions: ['flush', 'arm-idle', 'close'],
      },
    ],
  ])('%s', (_, row) => {
    const result = play(rules(row.rules), row.inputs);
    expect(result.actions).toEqual(row.actions);
    expect(result.exit).toBe(row.exit);
  });

  it('R25 the hint carries the -w time', () => {
    const { all } = play(rules({ waitMs: 2500 }), [OPENED, INPUT_ENDED, FLUSHED, IDLE]);
    expect(all.find((a) => a.do === 'nothing-received')).toEqual({ do: 'nothing-received', waitMs: 2500 });
  });

  it('R16 attempts count over the run; the back-off delay starts small again after a connection opens', () => {
    const { all } = play(rules({ reconnect: 3 }), [
      failed('connect', 'refused'),
      { type: 'backoff-over' },
      failed('connect', 'refused'),
      { type: 'backoff-over' },
      OPENED,
      failed('lost', 'connection lost: reset'),
    ]);
    expect(all.filter((a) => a.do === 'backoff')).toEqual([
      { do: 'backoff', attempt: 1, of: 3, delayMs: 188, reason: 'refused' },
      { do: 'backoff', attempt: 2, of: 3, delayMs: 375, reason: 'refused' },
      { do: 'backoff', attempt: 3, of: 3, delayMs: 188, reason: 'connection lost: reset' },
    ]);
  });

  it('R23 the idle close sends --close-code and --close-reason', () => {
    const { close } = play(rules({ closeCode: 4000, closeReason: 'bye' }), [OPENED, INPUT_ENDED, FLUSHED, IDLE]);
    expect(close).toEqual({ do: 'close', code: 4000, reason: 'bye' });
  });

  it('R23 the --count close sends --close-code; an --expect match closes with 1000', () => {
    expect(play(rules({ count: 1, closeCode: 4001 }), [OPENED, msg('a')]).close).toEqual({
      do: 'close',
      code: 4001,
      reason: '',
    });
    expect(play(rules({ expect: [text('a')], closeCode: 4001 }), [OPENED, msg('a')]).close).toEqual({
      do: 'close',
      code: 1000,
      reason: '',
    });
  });

  it('R9 the report names the pending pattern and the last messages', () => {
    const { report } = play(rules({ expect: [text('ready')] }), [OPENED, msg('a'), msg('b'), closedBy('server', 1000)]);
    expect(report).toBe('expectation not met: --expect "ready" (0 of 1 met); last messages received: "a", "b"');
  });

  it('R16 back-off delays grow and carry the attempt count and the reason', () => {
    const { all } = play(rules({ reconnect: 3 }), [
      failed('connect', 'refused'),
      { type: 'backoff-over' },
      failed('connect', 'refused'),
    ]);
    const backoffs = all.filter((a) => a.do === 'backoff');
    expect(backoffs).toEqual([
      { do: 'backoff', attempt: 1, of: 3, delayMs: 188, reason: 'refused' },
      { do: 'backoff', attempt: 2, of: 3, delayMs: 375, reason: 'refused' },
    ]);
  });

  it('R24 stdout backing up clears the running -w timer', () => {
    const { all } = play(rules(), [OPENED, INPUT_ENDED, FLUSHED, BLOCKED]);
    expect(all.at(-1)).toEqual({ do: 'clear-idle' });
  });

  it('R22 a signal sends 1001 (going away)', () => {
    const { all } = play(rules(), [OPENED, { type: 'signal', signal: 'SIGINT' }]);
    expect(all.find((a) => a.do === 'leave')).toEqual({ do: 'leave', code: 1001, signal: 'SIGINT' });
  });
});

/**
 * R27 --socketio: only Socket.IO events reach the policy as messages (heartbeats and namespace packets do
 * not); --expect-event matches an event by name, --expect-json then looks at its first argument; --count
 * counts events; the exit codes are those of --expect.
 */
describe('EndPolicy with Socket.IO events', () => {
  const event = (name: string, ...args: unknown[]): EndInput => ({
    type: 'message',
    text: JSON.stringify([name, ...args]),
    event: { name, args },
  });
  const expectEvent = (name: string) => ({ kind: 'event' as const, source: name, name });
  const json = (source: string) => {
    const parsed = parseExpectJson(source);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  };

  it.each<[string, Row]>([
    [
      'R27 --expect-event matched closes with 1000 → 0',
      {
        rules: { expect: [expectEvent('welcome')] },
        inputs: [OPENED, event('other', 1), event('welcome', 'hi'), closedBy('client', 1000)],
        actions: ['close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R27 --expect-event not met when the connection ends → 8',
      {
        rules: { expect: [expectEvent('welcome')] },
        inputs: [OPENED, event('other'), closedBy('server', 1000)],
        actions: ['finish'],
        exit: 8,
      },
    ],
    [
      'R27 --expect-event with --expect-json: the same event, its first argument',
      {
        rules: { expect: [expectEvent('chat'), json('from=ann')] },
        inputs: [OPENED, event('chat', { from: 'bob' }), event('chat', { from: 'ann' }), closedBy('client', 1000)],
        actions: ['close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R27 --expect-json looks at the first argument, not at the array',
      {
        rules: { expect: [json('[0]=chat')] },
        inputs: [OPENED, event('chat', ['x']), closedBy('server', 1000)],
        actions: ['finish'],
        exit: 8,
      },
    ],
    [
      'R27 --count 2 counts events',
      {
        rules: { count: 2 },
        inputs: [OPENED, event('a'), event('b'), event('c'), closedBy('client', 1000)],
        actions: ['hide-incoming', 'close', 'finish'],
        exit: 0,
      },
    ],
    [
      'R27 --expect-event not met when --timeout passes → 124',
      {
        rules: { expect: [expectEvent('never')], timeoutSeconds: 1 },
        inputs: [OPENED, event('a'), DEADLINE, failed('timeout')],
        actions: ['abort', 'finish'],
        exit: 124,
      },
    ],
  ])('%s', (_, row) => {
    const result = play(rules(row.rules), row.inputs);
    expect(result.actions).toEqual(row.actions);
    expect(result.exit).toBe(row.exit);
  });

  it('R27 an unmet --expect-event is explained with the event lines received', () => {
    const result = play(rules({ expect: [expectEvent('welcome')] }), [
      OPENED,
      event('bye', 1),
      closedBy('server', 1000),
    ]);
    expect(result.report).toBe(
      'expectation not met: --expect-event "welcome" (0 of 1 met); last messages received: "[\\"bye\\",1]"',
    );
  });
});
