/**
 * The client's interactive mode: the shared prompt on the terminal, typed lines carried out by the
 * shared dispatcher with the session as the target. A bad command prints one line and the session
 * goes on.
 */

import type { Env } from '../env.js';
import { type CommandTarget, runInputLine } from '../input/dispatch.js';
import { hintLine, openPrompt } from '../input/prompt.js';
import type { SessionEvent } from '../output/events.js';
import { plural } from '../output/plural.js';
import { escapeControl } from '../output/sanitize.js';
import { statusLines } from '../output/status.js';
import type { ClientSession } from '../session/client.js';
import type { Outbox, OutMessage } from '../session/outbox.js';
import type { Repl } from '../session/repl.js';

export interface ClientReplHooks {
  /** The current connection (a new one after each --reconnect). */
  session: () => ClientSession;
  outbox: Outbox;
  url: string;
  historyFile?: string;
  /** /close and /quit: close with this code and reason. */
  close(code: number, reason: string): void;
  /** Ctrl+D. */
  onEnd(): void;
  /** Ctrl+C. */
  onInterrupt(): void;
  /** Whether sent messages are shown as `>` lines on the prompt's terminal (pretty mode there). */
  echoesSentMessages: boolean;
  /** --show-secrets: `/status` shows the URL's password and tokens. */
  showSecrets?: boolean;
  /**
   * The session output already shows the pong answering a `/ping` on the terminal (`-P`, or `--json`
   * on a terminal); otherwise the prompt shows it, with its round trip.
   */
  pongsShown: boolean;
  /** Pretty or pipe output, not `-q`: a hint line follows the first `connected to …`. */
  hint: boolean;
  /** `--no-color`. */
  noColor?: boolean;
  /** `/filter`: replaces the session output's filter; the line to show, or why not. */
  setFilter?: (expr: string | null) => { ok: true; value: string } | { ok: false; error: string };
  /** `--socketio`: typed lines are events; /emit, /emit-ack and /ns. */
  socketio?: SocketIoPrompt;
}

/** What the prompt asks of the Socket.IO layer: messages to send, or why not (one line). */
export interface SocketIoPrompt {
  emit(text: string, ack: boolean): OutMessage[] | string;
  namespace(ns: string): OutMessage[] | string;
}

export interface ClientRepl {
  repl: Repl;
  /** Reads keys while connecting (nothing typed lands on the spinner's line); Ctrl+C works. */
  readAhead(): void;
  /** The connection is open: the hint line (the first time), then the prompt. */
  opened(): void;
  /** Every session event, to see the pongs answering the user's `/ping`s. */
  observe(e: SessionEvent): void;
  /** The streams session output must be written to, so it lands above the prompt. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** `env` with `stdout` and `stderr` replaced by those two writers. */
  env: Env;
}

export const CLIENT_HINT = '/help for commands · Ctrl+D to close · Ctrl+C to quit';

/** The session as the target of typed commands. Replies go to the prompt's terminal, never into a piped stdout. */
function clientTarget(
  hooks: ClientReplHooks,
  write: (text: string) => void,
  pinged: (data: Buffer) => void,
): CommandTarget {
  const problem = (message: string) => write(`wsprobe: ${message}\n`);
  return {
    context: hooks.socketio ? 'socketio' : 'client',
    send: (message) => hooks.outbox.push(message),
    control(kind, data) {
      const session = hooks.session();
      if (session.readyState !== 'OPEN') return `the connection is ${session.readyState.toLowerCase()}`;
      if (kind === 'ping') {
        session.ping(data);
        pinged(data);
      } else session.pong(data);
      return null;
    },
    status() {
      const session = hooks.session();
      return statusLines(
        {
          state: session.readyState,
          url: hooks.url,
          protocol: session.protocol,
          extensions: session.extensions,
          ...session.stats,
          bufferedBytes: hooks.outbox.bufferedBytes + session.bufferedAmount,
          lastRttMs: session.lastRttMs,
        },
        { showSecrets: hooks.showSecrets },
      );
    },
    quit: () => hooks.close(1000, ''),
    reply: (lines) => write(`${lines.join('\n')}\n`),
    problem,
    own(command) {
      if (command.cmd === 'close') hooks.close(command.code, command.reason);
      else if (command.cmd === 'filter') {
        const answer = hooks.setFilter?.(command.expr) ?? { ok: false, error: 'filters are not available here' };
        if (answer.ok) write(`${answer.value}\n`);
        else problem(answer.error);
      } else if ((command.cmd === 'emit' || command.cmd === 'ns') && hooks.socketio) {
        const out =
          command.cmd === 'emit'
            ? hooks.socketio.emit(command.text, command.ack)
            : hooks.socketio.namespace(command.ns);
        if (typeof out === 'string') problem(out);
        else for (const message of out) hooks.outbox.push(message);
      } else problem(`/${command.cmd} is a server command`);
    },
  };
}

export function createClientRepl(env: Env, terminal: NodeJS.WritableStream, hooks: ClientReplHooks): ClientRepl {
  const write = (text: string) => prompt.terminal.write(text);
  /** Payloads of the user's pings whose pongs have not come yet, oldest first. */
  let pings: Buffer[] = [];
  const target = clientTarget(hooks, write, (data) => {
    if (!hooks.pongsShown) pings.push(data);
  });
  const prompt = openPrompt(env, terminal, {
    historyFile: hooks.historyFile,
    onLine: (line) =>
      runInputLine(line, target, (command) => {
        // Its `>` message line replaces the echo of what was typed.
        if ((command.cmd === 'send' || command.cmd === 'emit') && hooks.echoesSentMessages) prompt.repl.skipEcho();
      }),
    onEnd: hooks.onEnd,
    onInterrupt: hooks.onInterrupt,
    onNotice: target.problem,
  });
  let hinted = false;
  return {
    repl: prompt.repl,
    stdout: prompt.stdout,
    stderr: prompt.stderr,
    env: prompt.env,
    readAhead: () => prompt.repl.readAhead(),
    opened() {
      // A new connection (--reconnect) answers none of the pings sent on the last one.
      pings = [];
      if (hooks.hint && !hinted) write(hintLine(env, CLIENT_HINT, hooks.noColor === true));
      hinted = true;
      prompt.repl.start();
    },
    observe(e) {
      // Pongs answer pings in order; one with our payload answers the oldest ping of the user (the
      // keepalive's pings carry none).
      if (e.event !== 'pong' || e.dir !== 'in' || e.rttMs === undefined || pings.length === 0) return;
      if (!pings[0].equals(e.data)) return;
      pings.shift();
      const data = e.data.length ? ` "${escapeControl(e.data.toString('utf8'), false)}"` : '';
      write(`< pong ${plural(e.data.length, 'byte')}, rtt ${e.rttMs.toFixed(1)} ms${data}\n`);
    },
  };
}
