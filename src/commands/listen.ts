/**
 * `wsprobe listen [port]`: a server that shows what clients send and sends what you type or pipe —
 * to every client, or to one with `/to <id>`; slash commands as in the client (`parseInputLine` in its
 * server context). `--broadcast` relays each client's messages to the others; `--console` serves a
 * browser chat page at `/`.
 *
 * Lines typed while no client is connected wait for the first one to connect (a piped file becomes
 * what the first client gets). Piped input respects backpressure: stdin is paused while the slowest
 * client has a megabyte of it unwritten.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ListenFlags } from '../cli/server-options.js';
import type { Env } from '../env.js';
import { LineSplitter } from '../protocol/lines.js';
import { COMMANDS, parseInputLine } from '../protocol/slash.js';
import type { ServerClient } from '../server/client.js';
import { consolePage } from '../server/console-page.js';
import { AUTH_REALM, checkBasicAuth } from '../server/policy.js';
import { runServer, type ServerContext } from '../server/run.js';
import { historyPath } from '../session/history.js';
import { Outbox, type OutMessage } from '../session/outbox.js';
import { promptTerminal, Repl } from '../session/repl.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What a listen server does with typed lines, client messages and plain HTTP requests. */
export class ListenController {
  /** Typed and piped messages for every client, in order, with backpressure. */
  readonly outbox = new Outbox();
  private heldNoticeShown = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly flags: ListenFlags,
  ) {}

  /**
   * One line typed or piped: a text message for every client, or a slash command
   * (`/to`, `/clients`, `/close`, `/hex`, `/ping`, `/quit`, …). Never throws; a bad command is an
   * `error` event with a one-line message.
   */
  handleServerLine(line: string): void {
    const parsed = parseInputLine(line, 'server');
    if (!parsed.ok) {
      this.usage(parsed.error);
      return;
    }
    const command = parsed.value;
    switch (command.cmd) {
      case 'send':
        this.toEveryone({ data: command.data, binary: command.binary });
        return;
      case 'file': {
        let data: Buffer;
        try {
          data = readFileSync(command.path);
        } catch (err) {
          this.usage(`/file: cannot read ${command.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
          return;
        }
        this.toEveryone({ data, binary: true });
        return;
      }
      case 'ping':
      case 'pong': {
        const clients = this.openClients();
        if (clients.length === 0) this.ctx.say(`/${command.cmd}: no client connected`, true);
        for (const client of clients) client[command.cmd](command.data);
        return;
      }
      case 'to': {
        const client = this.client(command.id, '/to');
        client?.send(command.data, command.binary);
        return;
      }
      case 'close-client':
      case 'close': {
        const id = command.cmd === 'close-client' ? command.id : undefined;
        if (id === undefined) {
          for (const client of this.openClients()) client.close(command.code, command.reason);
        } else {
          this.client(id, '/close')?.close(command.code, command.reason);
        }
        return;
      }
      case 'clients':
        this.ctx.say(this.clientList(), true);
        return;
      case 'status':
        this.ctx.say(this.status(), true);
        return;
      case 'help':
        this.ctx.say(this.help(), true);
        return;
      case 'quit':
        this.ctx.stop(1000, '');
        return;
    }
  }

  /** A client connected: it gets what was typed while nobody was there. */
  clientOpened(): void {
    this.heldNoticeShown = false;
    this.outbox.start((message, done) => this.sendToAll(message, done));
  }

  clientClosed(): void {
    if (this.ctx.core.clients.size === 0) this.outbox.stop();
  }

  /** `--broadcast`: what one client sends goes to all the others, with its type. */
  relay(from: ServerClient, data: Buffer, isBinary: boolean): void {
    for (const client of this.openClients()) if (client !== from) client.send(data, isBinary);
  }

  /** `--console`: the chat page at `/`; anything else is not found. */
  readonly httpRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') {
      if (this.flags.auth && !checkBasicAuth(req.headers.authorization, this.flags.auth)) {
        res.writeHead(401, { 'WWW-Authenticate': AUTH_REALM, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('credentials required\n');
        return;
      }
      const page = consolePage(this.flags.subprotocol ?? []);
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

  private sendToAll(message: OutMessage, done: () => void): void {
    const clients = this.openClients();
    let left = clients.length;
    if (left === 0) {
      done();
      return;
    }
    for (const client of clients) {
      client.send(message.data, message.binary, () => {
        left--;
        if (left === 0) done();
      });
    }
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

  private clientList(): string {
    const clients = [...this.ctx.core.clients.values()];
    if (clients.length === 0) return 'no client connected';
    const now = this.ctx.env.now();
    const rows = clients.map((c) => {
      const up = ((now - c.connectedAt) / 1000).toFixed(1);
      const path = c.url.slice(this.ctx.core.url.length);
      const protocol = c.protocol ? `  subprotocol ${c.protocol}` : '';
      const state = c.isOpen ? '' : '  (closing)';
      return `  #${c.id}  ${c.remote}  ${path}${protocol}  up ${up} s  in ${c.stats.messagesIn}  out ${c.stats.messagesOut}${state}`;
    });
    return [`${plural(clients.length, 'client')}:`, ...rows].join('\n');
  }

  private status(): string {
    const { core } = this.ctx;
    const t = core.totals;
    return [
      `listening on ${core.url}, ${plural(core.clients.size, 'client')} connected`,
      `in ${plural(t.messagesIn, 'message')} (${t.bytesIn} bytes), out ${plural(t.messagesOut, 'message')} (${t.bytesOut} bytes)`,
      `${plural(this.outbox.pending, 'message')} waiting to be sent (${this.outbox.bufferedBytes} bytes)`,
    ].join('\n');
  }

  private help(): string {
    const rows = COMMANDS.filter((c) => c.context !== 'client').map((c) => `  ${c.usage.padEnd(34)}${c.text}`);
    return ['What you type goes to every connected client. Commands:', ...rows].join('\n');
  }
}

/**
 * Piped (or, until the interactive prompt exists, typed) stdin: one line per call of `onLine`.
 * Reading pauses while `outbox` is full and resumes when it drains. End of input changes nothing:
 * the server keeps running.
 */
export function readStdinLines(stream: Readable, outbox: Outbox, onLine: (line: string) => void) {
  const splitter = new LineSplitter();
  let stopped = false;
  return {
    start(): void {
      outbox.onDrain(() => {
        if (!stopped) stream.resume();
      });
      stream.on('data', (chunk: Buffer) => {
        if (stopped) return;
        for (const line of splitter.push(chunk)) onLine(line.toString('utf8'));
        if (outbox.isFull) stream.pause();
      });
      stream.once('end', () => {
        const last = splitter.end();
        if (last && !stopped) onLine(last.toString('utf8'));
      });
      stream.on('error', () => {});
    },
    stop(): void {
      stopped = true;
      stream.pause();
      stream.removeAllListeners('data');
      (stream as Readable & { unref?: () => void }).unref?.();
      stream.destroy();
    },
  };
}

export function runListen(port: number, flags: ListenFlags, env: Env): Promise<number> {
  // On a terminal: the same prompt as the client's; server output is printed above it.
  const terminal = flags.stdin && env.stdinIsTTY ? promptTerminal(env) : null;
  let controller: ListenController | null = null;
  let context: ServerContext | null = null;
  const repl = terminal
    ? new Repl({
        input: env.stdin,
        terminal,
        prompt: '> ',
        historyFile: flags.history ? historyPath(env.homedir) : undefined,
        onLine: (line) => controller?.handleServerLine(line),
        // Ctrl+D stops the server as /quit does; Ctrl+C as SIGINT does.
        onEnd: () => controller?.handleServerLine('/quit'),
        onInterrupt: () => context?.stop(1001, 'server shutting down'),
        onNotice: (message) => context?.say(`wsprobe: ${message}`, true),
      })
    : null;
  const outEnv: Env = repl
    ? {
        ...env,
        stdout: (env.stdoutIsTTY ? repl.wrap(env.stdout) : env.stdout) as Env['stdout'],
        stderr: (env.stderrIsTTY ? repl.wrap(env.stderr) : env.stderr) as Env['stderr'],
      }
    : env;
  return runServer(port, flags, outEnv, (ctx) => {
    const listen = new ListenController(ctx, flags);
    controller = listen;
    context = ctx;
    const input =
      flags.stdin && !repl ? readStdinLines(env.stdin, listen.outbox, (line) => listen.handleServerLine(line)) : null;
    return {
      started() {
        if (flags.console) ctx.say(`console: ${ctx.core.url.replace(/^ws/, 'http')}/`);
        input?.start();
        repl?.start();
      },
      opened: () => listen.clientOpened(),
      message(client, data, isBinary) {
        if (flags.broadcast) listen.relay(client, data, isBinary);
      },
      closed: () => listen.clientClosed(),
      httpRequest: flags.console ? listen.httpRequest : undefined,
      finished() {
        repl?.close();
        input?.stop();
        listen.outbox.stop();
      },
    };
  });
}
