/**
 * `wsprobe listen [port]`: a server that shows what clients send and sends what you type or pipe —
 * to every client, or to one with `/to <id>`. Slash commands come from the one table
 * (protocol/slash.ts) and are carried out by the dispatcher the client uses too (input/dispatch.ts).
 * `--broadcast` relays each client's messages to the others; `--console` serves a browser chat page
 * at `/`.
 *
 * Lines typed while no client is connected wait for the first one to connect (a piped file becomes
 * what the first client gets). Piped input respects backpressure: stdin is paused while even the
 * fastest client has a megabyte of it unwritten; a client 16 MiB behind is closed with 1008.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Env, promptTerminal } from '../env.js';
import { ExitCode } from '../errors.js';
import type { ExecServer } from '../exec/server.js';
import { type CommandTarget, type OwnCommand, runCommand, runInputLine } from '../input/dispatch.js';
import { LineSource } from '../input/line-source.js';
import { hintLine, openPrompt, type Prompt } from '../input/prompt.js';
import { clientListLines, serverStatusLines } from '../output/status.js';
import type { Command } from '../protocol/slash.js';
import { BACKLOG_HIGH_BYTES, BACKLOG_LOW_BYTES, type ServerClient } from '../server/client.js';
import { CONSOLE_PATH, consolePage } from '../server/console-page.js';
import type { Admission, ListenPlan } from '../server/options.js';
import { AUTH_REALM, checkBasicAuth } from '../server/policy.js';
import { runServer, type ServerContext } from '../server/run.js';
import { historyPath } from '../session/history.js';
import { Outbox, type OutMessage } from '../session/outbox.js';

/** What a listen server does with typed lines, client messages and plain HTTP requests. */
export class ListenController {
  /** Typed and piped messages for every client, in order, with backpressure. */
  readonly outbox = new Outbox();
  private heldNoticeShown = false;
  /** `--broadcast` senders not read until a recipient catches up (see relay). */
  private readonly heldSenders = new Set<ServerClient>();
  /** Every client (or one) as the target of typed commands. */
  private readonly target: CommandTarget = {
    context: 'server',
    send: (message) => this.toEveryone(message),
    control: (kind, data) => {
      const clients = this.openClients();
      for (const client of clients) client[kind](data);
      return clients.length === 0 ? 'no client connected' : null;
    },
    status: () => {
      const { core } = this.ctx;
      return serverStatusLines({
        url: core.url,
        clients: core.clients.size,
        ...core.totals,
        waitingMessages: this.outbox.pending,
        waitingBytes: this.outbox.bufferedBytes,
      });
    },
    quit: () => this.ctx.stop(1000, ''),
    reply: (lines) => this.ctx.say(lines.join('\n'), true),
    problem: (message) => this.usage(message),
    own: (command) => this.own(command),
  };

  constructor(
    private readonly ctx: ServerContext,
    private readonly admission: Admission,
  ) {}

  /**
   * One line typed or piped: a text message for every client, or a slash command
   * (`/to`, `/clients`, `/close`, `/hex`, `/ping`, `/quit`, …). Never throws; a bad command is an
   * `error` event with a one-line message.
   */
  handleServerLine(line: string, before?: (command: Command) => void): void {
    runInputLine(line, this.target, before);
  }

  /** Ctrl+D at the prompt: stop as /quit does. */
  quit(): void {
    this.target.quit();
  }

  /** A client's handshake is done (before its greeting): the `--console` page is told who it is. */
  clientAccepted(client: ServerClient, console: boolean): void {
    if (console && client.url === `${this.ctx.core.url}${CONSOLE_PATH}`) client.speakConsole();
  }

  /** A client connected: it gets what was typed while nobody was there. */
  clientOpened(): void {
    this.heldNoticeShown = false;
    this.outbox.start((message, done) => this.sendToAll(message, done));
  }

  clientClosed(client: ServerClient): void {
    this.heldSenders.delete(client);
    this.relayed();
    if (this.ctx.core.clients.size === 0) this.outbox.stop();
  }

  /**
   * `--broadcast`: what one client sends goes to all the others, with its type. As with piped lines,
   * the fastest reader sets the pace: the sender is not read while even the fastest of the others has
   * more than a megabyte unwritten, and one that falls 16 MiB behind is closed with 1008.
   */
  relay(from: ServerClient, data: Buffer, isBinary: boolean): void {
    let fastest = Number.POSITIVE_INFINITY;
    const to: number[] = [];
    for (const client of this.openClients()) {
      if (client === from || !client.send(data, isBinary, this.relayed, { shown: false, from: from.id })) continue;
      to.push(client.id);
      fastest = Math.min(fastest, client.backlog);
    }
    this.showSent(data, isBinary, to, from.id);
    if (fastest !== Number.POSITIVE_INFINITY && fastest > BACKLOG_HIGH_BYTES) {
      from.holdForOthers();
      this.heldSenders.add(from);
    }
  }

  /** A relayed message was written (or its recipient is gone): held senders go on once one reader caught up. */
  private readonly relayed = (): void => {
    if (this.heldSenders.size === 0) return;
    let fastest = Number.POSITIVE_INFINITY;
    for (const client of this.openClients()) {
      if (!this.heldSenders.has(client)) fastest = Math.min(fastest, client.backlog);
    }
    if (fastest !== Number.POSITIVE_INFINITY && fastest > BACKLOG_LOW_BYTES) return;
    for (const sender of this.heldSenders) sender.releaseForOthers();
    this.heldSenders.clear();
  };

  /** `--console`: the chat page at `/`; anything else is not found. */
  readonly httpRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') {
      if (this.admission.credentials && !checkBasicAuth(req.headers.authorization, this.admission.credentials)) {
        res.writeHead(401, { 'WWW-Authenticate': AUTH_REALM, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('credentials required\n');
        return;
      }
      const page = consolePage([...this.admission.subprotocols]);
      res.writeHead(200, { ...page.headers, 'Content-Length': String(Buffer.byteLength(page.html)) });
      res.end(req.method === 'HEAD' ? undefined : page.html);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found: the console is at /\n');
  };

  private toEveryone(message: OutMessage): void {
    if (this.ctx.core.clients.size === 0 && !this.heldNoticeShown) {
      this.heldNoticeShown = true;
      this.ctx.say('no client connected: messages wait for the first one');
    }
    this.outbox.push(message);
  }

  /**
   * One typed or piped message to every client, each through its own queue (its socket's buffer). The
   * input goes on as soon as one client has taken it: the fastest reader sets the pace, and a client
   * that falls 16 MiB behind is closed with 1008 (ServerClient.send), so one that does not read holds
   * nobody up. Only when no client takes it (every one has failed) does the input go on regardless.
   */
  private sendToAll(message: OutMessage, done: () => void): void {
    const clients = this.openClients();
    let left = clients.length;
    let finished = left === 0;
    if (finished) done();
    const to: number[] = [];
    for (const client of clients) {
      const taken = client.send(
        message.data,
        message.binary,
        (err) => {
          left--;
          if (finished || (err && left > 0)) return;
          finished = true;
          done();
        },
        { shown: false },
      );
      if (taken) to.push(client.id);
    }
    this.showSent(message.data, message.binary, to);
  }

  /**
   * A message that went to several clients is shown once, with how many got it (and, relayed, whose
   * it is); to one client, it is shown as that client's (`[#2] > hello  (from #1)`).
   */
  private showSent(data: Buffer, binary: boolean, to: number[], from?: number): void {
    if (to.length === 0) return;
    this.ctx.output.emit({
      event: 'message',
      time: this.ctx.env.now(),
      dir: 'out',
      data,
      binary,
      ...(to.length === 1 ? { conn: to[0] } : { to }),
      ...(from !== undefined ? { from } : {}),
    });
  }

  private openClients(): ServerClient[] {
    return [...this.ctx.core.clients.values()].filter((c) => c.isOpen);
  }

  private client(id: number, command: string): ServerClient | undefined {
    const client = this.ctx.core.clients.get(id);
    if (!client?.isOpen) this.usage(`${command}: no client #${id} is connected (see /clients)`);
    return client?.isOpen ? client : undefined;
  }

  private usage(message: string): void {
    this.ctx.output.emit({ event: 'error', time: this.ctx.env.now(), kind: 'usage', message });
  }

  /** The commands only a server has. */
  private own(command: OwnCommand): void {
    switch (command.cmd) {
      case 'to': {
        // What follows the id is carried out on that one client, as a client's line on its connection.
        const client = this.client(command.id, '/to');
        if (client) runCommand(command.command, this.oneClient(client));
        return;
      }
      case 'clients':
        this.target.reply(this.clientList());
        return;
      case 'close-client':
        if (command.id === undefined) {
          for (const client of this.openClients()) client.close(command.code, command.reason);
        } else {
          this.client(command.id, '/close')?.close(command.code, command.reason);
        }
        return;
      default:
        this.usage(`/${command.cmd} is a client command`);
    }
  }

  /** One client as the target of `/to <id> …`: what a client's line does to its connection. */
  private oneClient(client: ServerClient): CommandTarget {
    return {
      context: 'client',
      send: (message) => {
        client.send(message.data, message.binary);
      },
      control: (kind, data) => {
        client[kind](data);
        return null;
      },
      status: () => [],
      quit: () => {},
      reply: (lines) => this.target.reply(lines),
      problem: (message) => this.usage(`/to ${client.id}: ${message}`),
      own: (command) => {
        if (command.cmd === 'close') client.close(command.code, command.reason);
        else this.usage(`/to ${client.id}: not a command for one client`);
      },
    };
  }

  private clientList(): string[] {
    const { core, env } = this.ctx;
    const now = env.now();
    return clientListLines(
      [...core.clients.values()].map((c) => ({
        id: c.id,
        remote: c.remote,
        path: c.url.slice(core.url.length),
        protocol: c.protocol,
        upMs: now - c.connectedAt,
        ...c.stats,
        open: c.isOpen,
      })),
    );
  }
}

export const LISTEN_HINT = '/help for commands · Ctrl+D or Ctrl+C to stop';

export async function runListen(plan: ListenPlan, env: Env): Promise<number> {
  const flags = plan.listen;
  // --exec: a program answers each client (or all, --exec-shared); it replaces stdin and the prompt.
  const execModule = plan.exec ? await import('../exec/server.js') : null;
  // --rules: scripted replies to each client, next to what is typed (loaded only then).
  const rulesModule = plan.rules ? await import('../rules/server.js') : null;
  let exec: ExecServer | null = null;
  let controller: ListenController | null = null;
  let context: ServerContext | null = null;
  // On a terminal: the same prompt as the client's; server output is printed above it.
  // A background job (`wsprobe listen &`) leaves the terminal alone: stdin is not read (--no-stdin).
  const readStdin = flags.stdin && !plan.exec && !(env.stdinIsTTY && env.inBackground?.() === true);
  const terminal = readStdin && env.stdinIsTTY ? promptTerminal(env) : null;
  const echoesSentMessages =
    !plan.output.json && (env.stdoutIsTTY || plan.output.pretty === true) && terminal === env.stdout;
  const prompt: Prompt | null = terminal
    ? openPrompt(env, terminal, {
        historyFile: flags.history ? historyPath(env.homedir) : undefined,
        onLine: (line) =>
          controller?.handleServerLine(line, (command) => {
            // Its `>` line (`> hello  (to 3 clients)`) replaces the echo of what was typed.
            if (command.cmd === 'send' && echoesSentMessages) prompt?.repl.skipEcho();
          }),
        // Ctrl+D stops the server as /quit does; Ctrl+C as SIGINT does.
        onEnd: () => controller?.quit(),
        onInterrupt: () => context?.interrupt('SIGINT'),
        onNotice: (message) => context?.say(`wsprobe: ${message}`, true),
      })
    : null;
  return runServer(plan, prompt?.env ?? env, (ctx) => {
    const listen = new ListenController(ctx, plan.admission);
    controller = listen;
    context = ctx;
    const rules = rulesModule && plan.rules ? new rulesModule.ServerRules(ctx, plan.rules) : null;
    if (execModule && plan.exec) {
      exec = new execModule.ExecServer(ctx, plan.exec, plan.admission);
      ctx.core.onUpgrading = exec.upgrading;
    }
    // Piped: every line is a command (or a message); the server goes on when the input ends.
    const input =
      readStdin && !prompt
        ? new LineSource(env.stdin, listen.outbox, { onItem: (line) => listen.handleServerLine(line.toString('utf8')) })
        : null;
    return {
      exposes: [
        'what you type or pipe',
        flags.broadcast ? 'what the other clients send' : '',
        plan.exec ? `the program ${plan.exec.command}` : '',
        flags.console ? 'the --console page' : '',
        rules ? 'the answers of --rules' : '',
      ]
        .filter(Boolean)
        .join(', '),
      async started() {
        if (exec && !(await exec.start())) {
          ctx.stop(1001, 'server shutting down', ExitCode.Usage);
          return;
        }
        if (flags.console) ctx.say(`console: ${ctx.core.url.replace(/^ws/, 'http')}/`);
        input?.start();
        if (prompt && !plan.output.json && !plan.output.quiet) {
          prompt.terminal.write(hintLine(env, LISTEN_HINT, !plan.output.color));
        }
        prompt?.repl.start();
      },
      accepted: (client) => {
        listen.clientAccepted(client, flags.console);
        exec?.accepted(client);
      },
      opened: (client) => {
        listen.clientOpened();
        exec?.opened(client);
        rules?.opened(client);
      },
      message(client, data, isBinary) {
        if (flags.broadcast) listen.relay(client, data, isBinary);
        exec?.message(client, data, isBinary);
        rules?.message(client, data, isBinary);
      },
      closed: (client) => {
        listen.clientClosed(client);
        exec?.closed(client);
        rules?.closed(client);
      },
      httpRequest: flags.console ? listen.httpRequest : undefined,
      async finished() {
        prompt?.repl.close();
        input?.stop();
        listen.outbox.stop();
        rules?.finished();
        await exec?.stop();
      },
    };
  });
}
