/**
 * The client's interactive mode: the shared prompt on the terminal, typed lines carried out by the
 * shared dispatcher with the session as the target. A bad command prints one line and the session
 * goes on.
 */
import type { Env } from '../env.js';
import { type CommandTarget, runInputLine } from '../input/dispatch.js';
import { openPrompt } from '../input/prompt.js';
import { statusLines } from '../output/status.js';
import type { ClientSession } from '../session/client.js';
import type { Outbox } from '../session/outbox.js';
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
}

export interface ClientRepl {
  repl: Repl;
  /** The streams session output must be written to, so it lands above the prompt. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** `env` with `stdout` and `stderr` replaced by those two writers. */
  env: Env;
}

/** The session as the target of typed commands. Replies go to the prompt's terminal, never into a piped stdout. */
function clientTarget(hooks: ClientReplHooks, write: (text: string) => void): CommandTarget {
  const problem = (message: string) => write(`wsprobe: ${message}\n`);
  return {
    context: 'client',
    send: (message) => hooks.outbox.push(message),
    control(kind, data) {
      const session = hooks.session();
      if (session.readyState !== 'OPEN') return `the connection is ${session.readyState.toLowerCase()}`;
      if (kind === 'ping') session.ping(data);
      else session.pong(data);
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
      else problem(`/${command.cmd} is a server command`);
    },
  };
}

export function createClientRepl(env: Env, terminal: NodeJS.WritableStream, hooks: ClientReplHooks): ClientRepl {
  const target = clientTarget(hooks, (text) => prompt.terminal.write(text));
  const prompt = openPrompt(env, terminal, {
    historyFile: hooks.historyFile,
    onLine: (line) =>
      runInputLine(line, target, (command) => {
        // Its `>` message line replaces the echo of what was typed.
        if (command.cmd === 'send' && hooks.echoesSentMessages) prompt.repl.eraseEnteredLine(line);
      }),
    onEnd: hooks.onEnd,
    onInterrupt: hooks.onInterrupt,
    onNotice: target.problem,
  });
  return { repl: prompt.repl, stdout: prompt.stdout, stderr: prompt.stderr, env: prompt.env };
}
