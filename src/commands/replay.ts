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
import { type CompareTotals, compareReply, countComparison, missingReply } from '../protocol/compare.js';
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

type Expected = ReplayPayload & { after?: number; answered?: ReplayPayload };

/** The server's recorded messages, each with the client message it followed (1-based, and which). */
function expectedReplies(recording: Recording): Expected[] {
  const out: Expected[] = [];
  let sent = 0;
  let last: ReplayPayload | undefined;
  for (const m of recording.messages) {
    if (m.from === 'client') {
      sent++;
      last = m;
    } else out.push(sent > 0 ? { data: m.data, binary: m.binary, after: sent, answered: last } : m);
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
  // Each answer is compared as it comes (and not kept): a long replay holds only what is still expected.
  const expected = expectedReplies(recording);
  const totals: CompareTotals = { equal: 0, differing: 0, missing: 0, extra: 0 };
  let received = 0;
  let opened = false;
  const compare = (data: Buffer, binary: boolean): void => {
    const e = expected[received];
    if (e) expected[received] = undefined as unknown as Expected;
    received++;
    const c = compareReply(received, e, { data, binary }, plan.ignore);
    countComparison(totals, c);
    output.emit({ event: 'compare', time: env.now(), ...c, answered: e?.answered });
  };
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
      output.emit(e);
      if (e.event === 'message' && e.dir === 'in') {
        compare(e.data, e.binary);
        pacer.reply();
      }
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
    const time = env.now();
    for (let i = received; i < expected.length; i++) {
      const c = missingReply(i + 1, expected[i]);
      countComparison(totals, c);
      output.emit({ event: 'compare', time, ...c, answered: expected[i].answered });
    }
    const matched = totals.first === undefined;
    output.emit({ event: 'replay', time, matched, expected: expected.length, ...totals });
    result = { ...result, decision: policy.decide(result.end, result.signal, !matched) };
  }
  return reportEnd(connect, env, output, run, result, url.value);
}
