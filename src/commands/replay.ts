/**
 * `wsprobe replay <recording> [url]`: wiring only. Connects as `connect` does (its whole plan), sends
 * the recording's client messages (replay/pacer.ts), keeps what the server sends, and once the session
 * is over compares it with the recording (protocol/compare.ts): a `compare` event per message, the
 * verdict, and the exit decision asked again with the result (9 when it did not match).
 * `--serve`: a mock server from the recording instead (replay/mock.ts on the server core).
 */
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import { urlText } from '../output/describe.js';
import type { ReplayPayload } from '../output/events.js';
import { tooLargeToShow } from '../output/output.js';
import { createSessionOutput } from '../output/setup.js';
import { compareConversation, compareTotals } from '../protocol/compare.js';
import { EndPolicy } from '../protocol/end-policy.js';
import type { Recording } from '../protocol/recording.js';
import { normalizeUrl } from '../protocol/url.js';
import { mockHandlers } from '../replay/mock.js';
import { clientSteps, Pacer } from '../replay/pacer.js';
import type { ReplayPlan } from '../replay/plan.js';
import { readRecording } from '../replay/read.js';
import { runServer } from '../server/run.js';
import type { ClientOptions } from '../session/client.js';
import { ClientRun } from '../session/client-run.js';
import { Outbox } from '../session/outbox.js';
import { clientOptions } from './client-options.js';
import { interruptedAtPrompt, reportEnd } from './connect-report.js';
import { PromptInterrupted } from './credentials.js';
import { startSpinner } from './spinner.js';

export async function runReplay(plan: ReplayPlan, env: Env): Promise<number> {
  const recording = readRecording(plan.recording, plan.conn);
  if (plan.serve) return runServer(plan.serve, env, (ctx) => mockHandlers(recording.messages, plan.ignore, ctx));
  return replayAgainstServer(plan, recording, env);
}

/** The server's recorded messages, each with the client message it followed (1-based, and which). */
function expectedReplies(recording: Recording): Array<ReplayPayload & { after?: number; answered?: ReplayPayload }> {
  const out: Array<ReplayPayload & { after?: number; answered?: ReplayPayload }> = [];
  let sent = 0;
  let last: ReplayPayload | undefined;
  for (const m of recording.messages) {
    const payload = { data: m.data, binary: m.binary };
    if (m.from === 'client') {
      sent++;
      last = payload;
    } else out.push(sent > 0 ? { ...payload, after: sent, answered: last } : payload);
  }
  return out;
}

async function replayAgainstServer(plan: ReplayPlan, recording: Recording, env: Env): Promise<number> {
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
  const received: ReplayPayload[] = [];
  let opened = false;
  const pacer = new Pacer(
    clientSteps(recording.messages),
    plan.pace,
    connect.ending.waitMs,
    (m) => outbox.push(m),
    () => run.feed({ type: 'input-ended' }),
  );
  const run: ClientRun = new ClientRun(
    policy,
    { connection, keepalive: connect.keepalive, initial: [] },
    outbox,
    (e) => {
      if (e.event === 'message' && e.dir === 'in') {
        received.push({ data: e.data, binary: e.binary });
        pacer.reply();
      }
      output.emit(e);
    },
    env.now,
  );
  const stopSignals = env.onSignal((signal) => run.feed({ type: 'signal', signal }));
  const seconds = connect.ending.timeoutSeconds;
  const deadline = seconds !== undefined ? setTimeout(() => run.feed({ type: 'deadline' }), seconds * 1000) : undefined;
  output.stdout.onBlocked = () => run.outputBackedUp(true);
  output.stdout.onDrained = () => run.outputBackedUp(false);
  output.onTooLarge = (e) => run.refuseMessage(tooLargeToShow(e));
  const spinner =
    env.stderrIsTTY && !connect.output.quiet
      ? await startSpinner(env, `connecting to ${urlText(url.value, connect.output.showSecrets)}`)
      : null;
  if (spinner) output.beforePrint = () => spinner.stop();
  run.onOpen = () => {
    spinner?.stop();
    opened = true;
    pacer.start();
  };
  run.start();
  let result = await run.finished;
  spinner?.stop();
  pacer.stop();
  stopSignals();
  clearTimeout(deadline);

  // Compared only when there was a conversation: a failure to connect is reported as connect does.
  if (opened && !result.signal) {
    const expected = expectedReplies(recording);
    const comparisons = compareConversation(expected, received, plan.ignore);
    const time = env.now();
    for (const c of comparisons) {
      const e = expected[c.index - 1];
      output.emit({ event: 'compare', time, ...c, answered: e?.answered });
    }
    const totals = compareTotals(comparisons);
    const matched = totals.first === undefined;
    output.emit({ event: 'replay', time, matched, expected: expected.length, ...totals });
    result = { ...result, decision: policy.decide(result.end, result.signal, !matched) };
  }
  return reportEnd(connect, env, output, run, result, url.value);
}
