/**
 * The client's interactive mode: a prompt on the terminal, typed lines parsed into commands and
 * carried out on the session. A bad command prints one line and the session goes on.
 */
import { readFile } from 'node:fs/promises';
import type { Env } from '../env.js';
import { helpLines, statusLines } from '../output/status.js';
import { type Command, parseInputLine } from '../protocol/slash.js';
import type { ClientSession } from '../session/client.js';
import type { Outbox } from '../session/outbox.js';
import { Repl } from '../session/repl.js';

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
}

export interface ClientRepl {
  repl: Repl;
  /** The streams session output must be written to, so it lands above the prompt. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function createClientRepl(env: Env, terminal: NodeJS.WritableStream, hooks: ClientReplHooks): ClientRepl {
  const { outbox } = hooks;
  // Replies to commands go to the prompt's terminal, never into a stdout that is piped.
  const feedback = (lines: string[]) => onTerminal().write(`${lines.join('\n')}\n`);
  const problem = (message: string) => onTerminal().write(`wsprobe: ${message}\n`);
  const onTerminal = () => (terminal === env.stdout ? stdout : stderr);

  const run = (command: Command, line: string) => {
    const session = hooks.session();
    switch (command.cmd) {
      case 'send':
        if (hooks.echoesSentMessages) repl.eraseEnteredLine(line);
        outbox.push({ data: command.data, binary: command.binary });
        return;
      case 'file':
        readFile(command.path).then(
          (data) => outbox.push({ data, binary: true }),
          (err: NodeJS.ErrnoException) => problem(`/file: cannot read ${command.path}: ${err.code ?? err.message}`),
        );
        return;
      case 'ping':
      case 'pong':
        if (session.readyState !== 'OPEN') {
          problem(`/${command.cmd}: the connection is ${session.readyState.toLowerCase()}`);
          return;
        }
        if (command.cmd === 'ping') session.ping(command.data);
        else session.pong(command.data);
        return;
      case 'close':
        hooks.close(command.code, command.reason);
        return;
      case 'quit':
        hooks.close(1000, '');
        return;
      case 'status':
        feedback(
          statusLines({
            state: session.readyState,
            url: hooks.url,
            protocol: session.protocol,
            extensions: session.extensions,
            ...session.stats,
            bufferedBytes: outbox.bufferedBytes + session.bufferedAmount,
            lastRttMs: session.lastRttMs,
          }),
        );
        return;
      case 'help':
        feedback(helpLines('client'));
        return;
      default:
        problem(`/${command.cmd} is a server command`);
    }
  };

  const repl = new Repl({
    input: env.stdin,
    terminal,
    prompt: '> ',
    historyFile: hooks.historyFile,
    onLine: (line) => {
      const parsed = parseInputLine(line, 'client');
      if (parsed.ok) run(parsed.value, line);
      else problem(parsed.error);
    },
    onEnd: hooks.onEnd,
    onInterrupt: hooks.onInterrupt,
    onNotice: problem,
  });
  const stdout = env.stdoutIsTTY ? repl.wrap(env.stdout) : env.stdout;
  const stderr = env.stderrIsTTY ? repl.wrap(env.stderr) : env.stderr;
  return { repl, stdout, stderr };
}
