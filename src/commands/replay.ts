/**
 * `wsprobe replay <recording> [url]`: wiring only. Connects as `connect` does (its whole plan), sends
 * the recording's client messages (replay/pacer.ts), keeps what the server sends, and once the session
 * is over compares it with the recording (protocol/compare.ts): a `compare` event per message, the
 * verdict, and the exit decision asked again with the result (9 when it did not match).
 * `--serve`: a mock server from the recording instead (replay/mock.ts on the server core).
 */
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import { createSessionOutput } from '../output/setup.js';
import { type CompareTotals, compareReply, countComparison, missingReply } from '../protocol/compare.js';
import { EndPolicy } from '../protocol/end-policy.js';
import { recordedAt } from '../protocol/recording.js';
import { normalizeUrl } from '../protocol/url.js';
import { Conversation } from '../replay/conversation.js';
import { mockHandlers } from '../replay/mock.js';
import { Pacer } from '../replay/pacer.js';
import type { ReplayPlan } from '../replay/plan.js';
import { openRecording, type RecordingStream, readRecording } from '../replay/read.js';
import { runServer } from '../server/run.js';
import type { ClientOptions } from '../session/client.js';
import { ClientRun } from '../session/client-run.js';
import { Outbox } from '../session/outbox.js';
import { clientOptions } from './client-options.js';
import { interruptedAtPrompt, reportEnd } from './connect-report.js';
import { PromptInterrupted } from './credentials.js';
import { watchRun } from './run-watch.js';

/**
 * How much of the server's recorded answers a replay reads ahead of what has come back: the pacer waits
 * beyond it (for -w at most), so memory holds about this much however long the recording.
 */
const READ_AHEAD_BYTES = 256 * 1024;

export async function runReplay(plan: ReplayPlan, env: Env): Promise<number> {
  if (plan.serve) {
    const recording = readRecording(plan.recording, plan.conn);
    return runServer(plan.serve, env, (ctx) => mockHandlers(recording.messages, plan.ignore, ctx));
  }
  const recording = openRecording(plan.recording, plan.conn);
  try {
    return await replayAgainstServer(plan, recording, env);
  } finally {
    recording.close();
  }
}

async function replayAgainstServer(plan: ReplayPlan, recording: RecordingStream, env: Env): Promise<number> {
  const connect = { ...plan.connect, url: plan.connect.url || recording.url || '' };
  if (connect.url === '') {
    throw usageError(`${plan.recording}: the recording does not say which URL it was made on`, 'give the URL');
  }
  const url = normalizeUrl(connect.url);
  if (!url.ok) throw usageError(url.error);
  let connection: ClientOptions;
  try {
    connection = await clientOptions(url.value, connect.connection, env);
  } catch (err) {
    if (err instanceof PromptInterrupted) return interruptedAtPrompt(connect, env, url.value);
    throw err;
  }
  const outbox = new Outbox();
  const output = createSessionOutput(connect.output, env, () => run.outputGone());
  const policy = new EndPolicy({ ...connect.ending, interactive: false });
  // The recording is read as it is sent; each answer is compared as it comes and is not kept.
  let badRecording = false;
  const conversation = new Conversation(recording.next, (err) => {
    badRecording = true;
    output.emit({ event: 'error', time: env.now(), kind: 'usage', message: err.message });
    run.feed({ type: 'bad-input' });
  });
  const totals: CompareTotals = { equal: 0, differing: 0, missing: 0, extra: 0 };
  let received = 0;
  let opened = false;
  const compare = (data: Buffer, binary: boolean): void => {
    const e = conversation.nextReply();
    received++;
    const c = compareReply(received, e, { data, binary }, plan.ignore);
    countComparison(totals, c);
    output.emit({ event: 'compare', time: env.now(), ...c, answered: e?.answered });
  };
  const pacer = new Pacer(plan.pace, connect.ending.waitMs, {
    next: () => conversation.nextStep(),
    recordingStart: () => (conversation.first ? recordedAt(conversation.first) : 0),
    canSend: () => !outbox.isFull,
    ahead: () => conversation.pendingReplyBytes >= READ_AHEAD_BYTES,
    // What the pacer sends in one go leaves in one socket write. Safe here as it is not in pipe mode: the
    // read-ahead bounds what is in flight to the server, however fast it goes out.
    send: (m) => {
      run.session.batchWrites();
      outbox.push(m);
    },
    done: () => run.feed({ type: 'input-ended' }),
  });
  outbox.onDrain(() => pacer.drained());
  const run: ClientRun = new ClientRun(
    policy,
    { connection, keepalive: connect.keepalive, initial: [] },
    outbox,
    (e) => {
      output.emit(e);
      if (e.event === 'message' && e.dir === 'in') {
        compare(e.data, e.binary);
        pacer.reply();
      }
    },
    env.now,
  );
  const watch = await watchRun(
    run,
    output,
    { timeoutSeconds: connect.ending.timeoutSeconds, output: connect.output, url: url.value },
    env,
  );
  run.onOpen = () => {
    watch.spinner?.stop();
    opened = true;
    pacer.start();
  };
  run.start();
  let result = await run.finished;
  watch.stop();
  pacer.stop();
  conversation.stopSending();

  // Compared only when there was a conversation: a failure to connect is reported as connect does.
  // A recording that turned out to be bad has no verdict: its error (exit 2) says what is wrong.
  if (opened && !result.signal && !badRecording) {
    const time = env.now();
    for (let e = conversation.nextReply(), i = received + 1; e; e = conversation.nextReply(), i++) {
      const c = missingReply(i, e);
      countComparison(totals, c);
      output.emit({ event: 'compare', time, ...c, answered: e.answered });
    }
    const matched = totals.first === undefined;
    output.emit({ event: 'replay', time, matched, expected: conversation.expectedCount, ...totals });
    result = { ...result, decision: policy.decide(result.end, result.signal, !matched) };
  }
  return reportEnd(connect, env, output, run, result, url.value);
}
