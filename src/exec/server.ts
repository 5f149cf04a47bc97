/**
 * `listen --exec`: a program behind each client (or, `--exec-shared`, one behind the whole server).
 * Each client's messages go to its program's stdin; each unit of the program's output is a message to
 * the client. The program is started while the handshake is answered, so one that cannot start gets
 * its client a 500 (and one log line); when the client leaves, the program's stdin is closed, then it
 * gets SIGTERM after `--exec-grace` and SIGKILL after as long again; when the program exits, its
 * client is closed with 1000 (exit 0) or 1011 `exit N` / `signal S`. Backpressure both ways: a
 * program that stops reading pauses its client's socket, a client that stops reading pauses the
 * program's stdout.
 */
import type { IncomingMessage } from 'node:http';
import type { SessionEvent } from '../output/events.js';
import { serverExit } from '../protocol/exit.js';
import { BACKLOG_HIGH_BYTES, BACKLOG_LOW_BYTES, type ServerClient } from '../server/client.js';
import type { Admission } from '../server/options.js';
import { chooseSubprotocol, type Refusal } from '../server/policy.js';
import type { ServerContext } from '../server/run.js';
import { ExecChild, type ExitStatus, exitText, failed } from './child.js';
import { notAMessage } from './client.js';
import { invocation } from './command.js';
import { requestEnv } from './env.js';
import { routed, type Unit } from './framing.js';
import type { ExecPlan } from './plan.js';

/** What the server core asks before a handshake is answered (its `onUpgrading` hook). */
type UpgradeAnswer = { protocol: string } | { refusal: Refusal; body?: string };

/** One program and the client it serves (none yet while the handshake is being answered). */
interface Program {
  child: ExecChild;
  client: ServerClient | null;
  status: ExitStatus | null;
  /** A message sent while the client was behind has been written: go on once it has caught up. */
  written: () => void;
}

export class ExecServer {
  /** Per-client programs by client id (from the handshake on). */
  private readonly programs = new Map<number, Program>();
  private shared: ExecChild | null = null;
  /** `--exec-shared`: clients not read while the program's stdin is full. */
  private sharedFull = false;
  private stopping = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly plan: ExecPlan,
    private readonly admission: Admission,
  ) {}

  /** Programs running (the --max-clients bound counts those still being ended too). */
  get running(): number {
    let n = 0;
    for (const p of this.programs.values()) if (p.child.running) n++;
    return n;
  }

  /** `--exec-shared`: the one program starts with the server. False (said why) when it cannot. */
  async start(): Promise<boolean> {
    if (!this.plan.shared) return true;
    try {
      const child = await this.spawn(undefined, {});
      this.shared = child;
      child.onDrain(() => {
        this.sharedFull = false;
        for (const client of this.ctx.core.clients.values()) client.resume('program');
      });
      void child.exited.then((status) => {
        this.exitEvent(undefined, child, status);
        // The server's reason to be is gone: every client is told how the program ended.
        const bad = failed(status);
        this.ctx.stop(
          bad ? 1011 : 1000,
          bad ? exitText(status) : '',
          serverExit({ type: 'program-exited', failed: bad }),
        );
      });
      return true;
    } catch (err) {
      this.fail(undefined, `cannot start --exec program: ${(err as Error).message}`);
      return false;
    }
  }

  /** The server core's hook: a handshake the policy let in starts its program before the 101. */
  readonly upgrading = async (req: IncomingMessage, id: number): Promise<UpgradeAnswer> => {
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const protocol = chooseSubprotocol(offered, this.admission.subprotocols) || '';
    if (this.plan.shared) return { protocol };
    const max = this.admission.maxClients;
    if (max !== undefined && this.running >= max) {
      const reason = `${max === 1 ? '1 program is' : `${max} programs are`} running (--max-clients)`;
      return { refusal: { status: 503, reason, headers: { 'Retry-After': '1' } } };
    }
    let child: ExecChild;
    try {
      child = await this.spawn(id, this.requestEnv(req, id, protocol));
    } catch (err) {
      return { refusal: { status: 500, reason: `cannot start --exec program: ${(err as Error).message}` } };
    }
    // Nothing it writes is read until its client is there.
    child.pauseOutput();
    const program: Program = {
      child,
      client: null,
      status: null,
      written: () => {
        if (!program.client || program.client.backlog <= BACKLOG_LOW_BYTES) child.resumeOutput();
      },
    };
    this.programs.set(id, program);
    child.onDrain(() => program.client?.resume('program'));
    void child.exited.then((status) => this.exited(id, program, status));
    // A handshake that never completes (the client went away) ends its program.
    req.socket.once('close', () => {
      if (program.client !== null) return;
      child.end();
      if (program.status) this.programs.delete(id);
    });
    return { protocol };
  };

  /** A client's handshake is done: its program's output flows to it. */
  accepted(client: ServerClient): void {
    const program = this.programs.get(client.id);
    if (!program) return;
    program.client = client;
    if (program.status) {
      // It ended while the handshake was being answered: its client is told at once.
      this.programs.delete(client.id);
      this.closeFor(client, program.status);
      return;
    }
    program.child.resumeOutput();
  }

  message(client: ServerClient, data: Buffer, isBinary: boolean): void {
    const child = this.shared ?? this.programs.get(client.id)?.child;
    // --exec-ids: the shared program learns who wrote (the prefix that routes an answer back).
    const tagged = this.shared && this.plan.ids ? Buffer.concat([Buffer.from(`#${client.id} `), data]) : data;
    if (!child || child.write(tagged, isBinary)) return;
    // Its stdin is full: this client (all of them, for the shared one) waits until it drains.
    if (this.shared) {
      this.sharedFull = true;
      for (const c of this.ctx.core.clients.values()) c.pause('program');
    } else {
      client.pause('program');
    }
  }

  /** A client came in while the shared program's stdin is full: it waits too. */
  opened(client: ServerClient): void {
    if (this.sharedFull) client.pause('program');
  }

  closed(client: ServerClient): void {
    const program = this.programs.get(client.id);
    if (program) program.child.end();
    if (this.shared) this.sharedPace();
  }

  /** The server is stopping: every program is ended (stdin, grace, TERM, KILL) and waited for. */
  async stop(): Promise<void> {
    this.stopping = true;
    const children = [...this.programs.values()].map((p) => p.child);
    if (this.shared) children.push(this.shared);
    for (const child of children) child.end();
    await Promise.all(children.map((c) => c.exited));
  }

  private async spawn(conn: number | undefined, request: Record<string, string>): Promise<ExecChild> {
    const { plan, ctx } = this;
    const how = invocation(plan.command, plan.buffered, ctx.env.vars.PATH);
    let child: ExecChild | null = null;
    child = await ExecChild.start(
      {
        invocation: how,
        env: { ...ctx.env.vars, ...how.env, ...request },
        framing: plan.framing,
        chunkSize: plan.chunkSize,
        graceMs: plan.graceMs,
      },
      {
        unit: (unit) => this.output(conn, unit),
        units: (units) => {
          const client = conn === undefined ? undefined : this.programs.get(conn)?.client;
          if (!client) for (const unit of units) this.output(conn, unit);
          else
            client.batch(() => {
              for (const unit of units) this.output(conn, unit);
            });
        },
        stderr: (line) => {
          this.emit({ event: 'exec-stderr', conn, pid: child?.pid ?? 0, data: line });
          if (plan.stderrToPeer) this.output(conn, { data: line, binary: false });
        },
      },
    );
    this.emit({ event: 'exec-start', conn, pid: child.pid, command: plan.command });
    return child;
  }

  private requestEnv(req: IncomingMessage, id: number, protocol: string): Record<string, string> {
    const { core } = this.ctx;
    return requestEnv({
      id,
      remoteAddress: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      remotePort: req.socket.remotePort ?? 0,
      url: req.url ?? '/',
      headers: req.headers,
      protocol,
      host: new URL(core.url).hostname.replace(/^\[|\]$/g, ''),
      port: core.port,
      tls: core.scheme === 'wss',
    });
  }

  /** One unit of a program's output: to its client, or (shared) to every client or the one it names. */
  private output(conn: number | undefined, unit: Unit): void {
    if (unit.invalid !== undefined) {
      const pid = conn === undefined ? this.shared?.pid : this.programs.get(conn)?.child.pid;
      this.ctx.output.emit(notAMessage(this.ctx.env.now(), unit, pid, conn));
      return;
    }
    if (conn === undefined) {
      this.sharedOutput(unit);
      return;
    }
    const program = this.programs.get(conn);
    const client = program?.client;
    if (!program || !client) return;
    // The hot path: no per-message callback. Once a backlog builds up, the message that may pause
    // the program carries one, and lets it go on when everything before it has been written.
    const behind = client.backlog > BACKLOG_LOW_BYTES;
    client.send(unit.data, unit.binary, behind ? program.written : undefined);
    if (client.backlog > BACKLOG_HIGH_BYTES) program.child.pauseOutput();
  }

  /**
   * The shared program's output: a unit starting with `#<id> ` (lines/nul framing) goes to that
   * client only, without the prefix; any other to every client, shown once. The fastest reader sets
   * the pace, as for `listen`'s typed lines (a client 16 MiB behind is closed with 1008).
   */
  private sharedOutput(unit: Unit): void {
    const child = this.shared;
    if (!child) return;
    const target = this.plan.framing === 'raw' ? null : routed(unit.data);
    const data = target ? target.data : unit.data;
    const { binary } = unit;
    const clients = [...this.ctx.core.clients.values()].filter(
      (c) => c.isOpen && (target === null || c.id === target.id),
    );
    const to: number[] = [];
    for (const client of clients) {
      if (client.send(data, binary, () => this.sharedPace(), { shown: false })) to.push(client.id);
    }
    if (to.length > 0) {
      this.emit({
        event: 'message',
        dir: 'out',
        data,
        binary,
        ...(to.length === 1 ? { conn: to[0] } : { to }),
      });
    }
    this.sharedPace();
  }

  /** Pauses the shared program's output while even the fastest client is behind. */
  private sharedPace(): void {
    const child = this.shared;
    if (!child) return;
    let fastest = Number.POSITIVE_INFINITY;
    for (const client of this.ctx.core.clients.values()) {
      if (client.isOpen) fastest = Math.min(fastest, client.backlog);
    }
    if (fastest !== Number.POSITIVE_INFINITY && fastest > BACKLOG_HIGH_BYTES) child.pauseOutput();
    else if (fastest === Number.POSITIVE_INFINITY || fastest <= BACKLOG_LOW_BYTES) child.resumeOutput();
  }

  private exited(id: number, program: Program, status: ExitStatus): void {
    program.status = status;
    this.exitEvent(id, program.child, status);
    // Before its handshake is done, it stays known: `accepted` closes the client with its status.
    if (!program.client) return;
    this.programs.delete(id);
    if (!this.stopping) this.closeFor(program.client, status);
  }

  /** A client whose program has ended: 1000 for exit 0, else 1011 with `exit N` / `signal S`. */
  private closeFor(client: ServerClient, status: ExitStatus): void {
    if (!client.isOpen) return;
    if (status.code === 0) client.close(1000, '');
    else client.close(1011, exitText(status));
  }

  private exitEvent(conn: number | undefined, child: ExecChild, status: ExitStatus): void {
    this.emit({
      event: 'exec-exit',
      conn,
      pid: child.pid,
      code: status.code,
      signal: status.signal,
      failed: failed(status),
      durationMs: Date.now() - child.startedAt,
    });
  }

  private fail(conn: number | undefined, message: string): void {
    this.emit({ event: 'error', conn, kind: 'usage', message });
  }

  private emit(e: DistributiveOmitTime<SessionEvent>): void {
    this.ctx.output.emit({ ...e, time: this.ctx.env.now() } as SessionEvent);
  }
}

type DistributiveOmitTime<T> = T extends unknown ? Omit<T, 'time'> : never;
