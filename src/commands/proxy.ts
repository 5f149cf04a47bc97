/**
 * `wsprobe proxy <upstream-url> [port]`: a server (the core `listen` and `echo` share, with its
 * defences) whose every client gets its own upstream connection (src/proxy/relay.ts), shown in every
 * view per pair. On a terminal the shared prompt injects messages, pings and closes into either side
 * of one pair (`/client 2 /hex 00ff`, `/server 2 {"op":"ping"}`); `/clients` lists the pairs.
 */
import type { IncomingMessage } from 'node:http';
import { type Env, promptTerminal } from '../env.js';
import { usageError } from '../errors.js';
import { type CommandTarget, type OwnCommand, runInputLine } from '../input/dispatch.js';
import { readFileOrUsage } from '../input/files.js';
import { hintLine, openPrompt, type Prompt } from '../input/prompt.js';
import { plural } from '../output/plural.js';
import { maskUrl } from '../output/sanitize.js';
import { clientListLines } from '../output/status.js';
import type { CloseInfo } from '../protocol/outcome.js';
import { normalizeUrl } from '../protocol/url.js';
import { Pair, type RelaySettings } from '../proxy/relay.js';
import type { ServerClient } from '../server/client.js';
import type { RelayAnswer } from '../server/core.js';
import type { ServerPlan } from '../server/options.js';
import { runServer, type ServerContext } from '../server/run.js';
import type { ClientOptions } from '../session/client.js';
import { historyPath } from '../session/history.js';
import { type ConnectionSettings, clientOptions } from './client-options.js';

export interface ProxyPlan extends ServerPlan {
  /** The upstream URL as typed. */
  upstream: string;
  /** The upstream connection: -H, -o, --upstream-auth, TLS, --proxy, --connect-timeout, … */
  connection: ConnectionSettings;
  prompt: { stdin: boolean; history: boolean };
}

export const PROXY_HINT = '/help for commands · /client <id> … or /server <id> … injects · Ctrl+D or Ctrl+C to stop';

/** The pairs of one proxy, and the prompt's commands on them. */
export class ProxyController {
  readonly pairs = new Map<number, Pair>();
  readonly target: CommandTarget = {
    context: 'proxy',
    send: () =>
      this.usage(
        'a line goes to one side of one pair: /client <id> <text> or /server <id> <text> (/clients lists them)',
      ),
    control: () => 'say which side: /client <id> /ping or /server <id> /ping',
    status: () => {
      const { core } = this.ctx;
      const t = core.totals;
      return [
        `listening on ${core.url}, relaying to ${this.shown(this.settings.base.url)}`,
        `${plural(this.pairs.size, 'pair')} open`,
        `from clients ${plural(t.messagesIn, 'message')} (${plural(t.bytesIn, 'byte')}), to clients ${plural(t.messagesOut, 'message')} (${plural(t.bytesOut, 'byte')})`,
      ];
    },
    quit: () => this.ctx.stop(1000, ''),
    reply: (lines) => this.ctx.say(lines.join('\n'), true),
    problem: (message) => this.usage(message),
    own: (command) => this.own(command),
  };

  constructor(
    private readonly ctx: ServerContext,
    private readonly settings: RelaySettings,
    private readonly showSecrets: boolean,
  ) {}

  /** A client's handshake passed the admission checks: its upstream is asked, and answers for it. */
  upgrading(req: IncomingMessage, id: number): Promise<RelayAnswer> {
    const pair = new Pair(id, req, this.settings, { emit: (e) => this.ctx.output.emit(e), now: this.ctx.env.now });
    this.pairs.set(id, pair);
    void pair.done.then(() => this.pairs.delete(id));
    return pair.answer.then((answer) => {
      // ws answers the client right after this settles; one that went away meanwhile never pairs.
      if ('protocol' in answer) setImmediate(() => pair.unpaired());
      return answer;
    });
  }

  accepted(client: ServerClient): void {
    this.pairs.get(client.id)?.attach(client);
  }

  fromClient(client: ServerClient, data: Buffer, binary: boolean): void {
    this.pairs.get(client.id)?.fromClient(data, binary);
  }

  clientClosed(client: ServerClient, close: CloseInfo): void {
    this.pairs.get(client.id)?.clientClosed(close);
  }

  outputPaused(paused: boolean): void {
    for (const pair of this.pairs.values()) pair.outputPaused(paused);
  }

  /**
   * The proxy stops (its clients were closed, each passing its close on): upstreams still connecting
   * are given up, and every upstream's close is waited for (bounded by its close timeout), so that
   * the recording ends with it.
   */
  async drain(): Promise<void> {
    const pairs = [...this.pairs.values()];
    for (const pair of pairs) pair.stop(1001, 'proxy shutting down');
    await Promise.all(pairs.map((pair) => pair.done));
  }

  handleLine(line: string, before?: Parameters<typeof runInputLine>[2]): void {
    runInputLine(line, this.target, before);
  }

  private shown(url: string): string {
    return this.showSecrets ? url : maskUrl(url);
  }

  private usage(message: string): void {
    this.ctx.output.emit({ event: 'error', time: this.ctx.env.now(), kind: 'usage', message });
  }

  private own(command: OwnCommand): void {
    switch (command.cmd) {
      case 'inject': {
        const name = command.side === 'client' ? '/client' : '/server';
        const pair = this.pairs.get(command.id);
        if (!pair?.isOpen) {
          this.usage(`${name}: no pair #${command.id} is open (see /clients)`);
          return;
        }
        let inner = command.command;
        if (inner.cmd === 'file') {
          try {
            inner = { cmd: 'send', data: readFileOrUsage(inner.path, '/file'), binary: true };
          } catch (err) {
            this.usage(`${name} ${command.id}: ${(err as Error).message}`);
            return;
          }
        }
        const why = pair.inject(command.side, inner);
        if (why !== null) this.usage(`${name} ${command.id}: ${why}`);
        return;
      }
      case 'clients':
        this.target.reply(this.pairList());
        return;
      case 'close-client': {
        const pairs = command.id === undefined ? [...this.pairs.values()] : [this.pairs.get(command.id)];
        if (pairs.length === 1 && !pairs[0]?.client?.isOpen) {
          this.usage(`/close: no pair #${command.id} is open (see /clients)`);
          return;
        }
        for (const pair of pairs) pair?.client?.close(command.code, command.reason);
        return;
      }
      default:
        this.usage(`/${command.cmd} is not a proxy command`);
    }
  }

  /** `/clients`: the clients as `listen` lists them, then where each one's upstream goes. */
  private pairList(): string[] {
    const { core, env } = this.ctx;
    const now = env.now();
    const paired = [...this.pairs.values()].filter((p) => p.client);
    const table = clientListLines(
      paired.map(({ client: c }) => ({
        id: c!.id,
        remote: c!.remote,
        path: c!.url.slice(core.url.length),
        protocol: c!.protocol,
        upMs: now - c!.connectedAt,
        ...c!.stats,
        open: c!.isOpen,
      })),
      { showSecrets: this.showSecrets },
    );
    const upstreams = paired.map(
      (p) => `#${p.id} ⇄ ${this.shown(p.url)} (${p.upstream.isOpen ? 'open' : p.upstream.readyState.toLowerCase()})`,
    );
    return [...table, ...upstreams];
  }
}

/** Header names a client's request does not pass on: the command line sets them, or they are ours. */
function replacedHeaders(base: ClientOptions, plan: ProxyPlan): Set<string> {
  const names = new Set(base.headers.map(([name]) => name.toLowerCase()));
  if (base.origin !== undefined) names.add('origin');
  // With --auth the client's credentials are the proxy's own: they do not go upstream.
  if (plan.admission.credentials) names.add('authorization');
  return names;
}

export async function runProxy(plan: ProxyPlan, env: Env): Promise<number> {
  const url = normalizeUrl(plan.upstream);
  if (!url.ok) throw usageError(`upstream URL: ${url.error}`);
  // Asks for a missing --upstream-auth password on the terminal, before any socket exists.
  const base = await clientOptions(url.value, plan.connection, env);
  const settings: RelaySettings = {
    base,
    replaced: replacedHeaders(base, plan),
    showRefusals: plan.output.json || plan.output.verbose > 0,
  };
  let controller: ProxyController | null = null;
  let context: ServerContext | null = null;
  const readStdin = plan.prompt.stdin && env.stdinIsTTY && env.inBackground?.() !== true;
  const terminal = readStdin ? promptTerminal(env) : null;
  const echoesSentMessages =
    !plan.output.json && (env.stdoutIsTTY || plan.output.pretty === true) && terminal === env.stdout;
  const prompt: Prompt | null = terminal
    ? openPrompt(env, terminal, {
        historyFile: plan.prompt.history ? historyPath(env.homedir) : undefined,
        onLine: (line) =>
          controller?.handleLine(line, (command) => {
            if (command.cmd === 'inject' && command.command.cmd === 'send' && echoesSentMessages) {
              prompt?.repl.skipEcho();
            }
          }),
        onEnd: () => controller?.target.quit(),
        onInterrupt: () => context?.interrupt('SIGINT'),
        onNotice: (message) => context?.say(`wsprobe: ${message}`, true),
      })
    : null;
  return runServer({ ...plan, relay: true }, prompt?.env ?? env, (ctx) => {
    const proxy = new ProxyController(ctx, settings, plan.output.showSecrets);
    controller = proxy;
    context = ctx;
    ctx.core.onUpgrading = (req, id) => proxy.upgrading(req, id);
    ctx.core.onPaused = (paused) => proxy.outputPaused(paused);
    ctx.core.onClientsClosed = () => proxy.drain();
    return {
      exposes: `a relay to ${plan.output.showSecrets ? url.value : maskUrl(url.value)}`,
      started() {
        ctx.say(`relaying to ${plan.output.showSecrets ? url.value : maskUrl(url.value)}`);
        if (prompt && !plan.output.json && !plan.output.quiet) {
          prompt.terminal.write(hintLine(env, PROXY_HINT, !plan.output.color));
        }
        prompt?.repl.start();
      },
      accepted: (client) => proxy.accepted(client),
      message: (client, data, isBinary) => proxy.fromClient(client, data, isBinary),
      closed: (client, close) => proxy.clientClosed(client, close),
      finished() {
        prompt?.repl.close();
      },
    };
  });
}
