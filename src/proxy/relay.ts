/**
 * One client of `wsprobe proxy` and its own upstream connection: a pair. The client's handshake
 * waits for the upstream's answer (its 101 carries the upstream's subprotocol; a refusal passes
 * through; an upstream that cannot be reached gives 502); then every message goes on with its type
 * and bytes, pings and pongs go on as they came (ws answers none by itself: the far side's pong is
 * the one that comes back), a close goes on with its code and reason, and a side lost without a
 * close frame closes the other (the client with 1011, the upstream with 1001) with one log line.
 *
 * Backpressure end to end: once RELAY_HIGH_BYTES wait to be written to one side, the other side is
 * not read until they have been (TCP then slows its sender down), so memory stays bounded whatever
 * the rates.
 */
import type { IncomingMessage } from 'node:http';
import type { ClientOptions } from '../connection/client-handshake.js';
import { httpStatusText } from '../connection/server-handshake.js';
import type { ProxySide, ResponseEvent, SessionEvent } from '../output/events.js';
import { maskSecretsInText } from '../output/sanitize.js';
import type { CloseInfo } from '../protocol/outcome.js';
import type { ConnectionCommand } from '../protocol/slash.js';
import type { ServerClient } from '../server/client.js';
import type { RelayAnswer } from '../server/core.js';
import { type ClientEnd, ClientSession } from '../session/client.js';
import { forwardedHeaders, offeredSubprotocols, refusalHeaders, upstreamUrl } from './target.js';

/** Past this many bytes unwritten to one side, the other side is not read until they are written. */
export const RELAY_HIGH_BYTES = 1024 * 1024;

/** The close code the other side gets when one side is lost without a close frame. */
export const LOST_CODES: Readonly<Record<ProxySide, number>> = {
  // The client lost: its upstream sees a client that went away.
  client: 1001,
  // The upstream lost: the client sees a server error (its server, the proxy, lost what it relays).
  upstream: 1011,
};

/** What one side's close becomes on the other side. */
export type PassedClose = { code?: number; reason: string } | { lost: true; code: number; reason: string };

/**
 * A close as the other side gets it: the same code and reason; 1005 (no code) as a close frame without
 * one; a side lost without a close frame (1006, or 1015: TLS failed) as LOST_CODES says.
 */
export function passedClose(from: ProxySide, close: Pick<CloseInfo, 'code' | 'reason' | 'by'>): PassedClose {
  if (close.by === 'none' || close.code === 1006 || close.code === 1015) {
    const what = from === 'client' ? 'client' : 'upstream';
    return { lost: true, code: LOST_CODES[from], reason: `${what} connection lost` };
  }
  if (close.code === 1005) return { reason: '' };
  return { code: close.code, reason: close.reason };
}

export interface RelaySettings {
  /** The upstream connection as the command line gives it (url: the upstream URL). */
  base: ClientOptions;
  /** Client headers not passed on (lower case): set by -H/-o/--upstream-auth, or `--auth`'s own. */
  replaced: ReadonlySet<string>;
  /** -v or --json: an upstream's refusal is shown in full (otherwise: one line). */
  showRefusals: boolean;
}

/** Where a pair reports what it sees, and how it says one line. */
export interface RelayContext {
  emit(e: SessionEvent): void;
  now(): number;
}

export class Pair {
  client: ServerClient | undefined = undefined;
  readonly upstream: ClientSession;
  readonly url: string;
  /** Settles with the answer the client's handshake gets. */
  readonly answer: Promise<RelayAnswer>;
  /** Both sides have closed. */
  readonly done: Promise<void>;
  private answered!: (answer: RelayAnswer) => void;
  private allDone!: () => void;
  private upstreamOpen = false;
  private clientEnded = false;
  private upstreamEnded = false;
  /** The upstream's non-101 answer: passed to the client. */
  private refusal: ResponseEvent | undefined = undefined;
  /** Messages from the upstream before the client had its 101 (the upstream is paused then: few). */
  private early: Array<[Buffer, boolean]> | null = [];
  /** Not reading one side because the other has RELAY_HIGH_BYTES unwritten. */
  private readonly held: Record<ProxySide, boolean> = { client: false, upstream: false };
  /** Pings we sent (`/client 2 /ping`) on each side: their pongs are ours, not passed on. */
  private readonly ownPings: Record<ProxySide, number> = { client: 0, upstream: 0 };
  /** The upstream closed before the client had its connection: passed on once it has. */
  private closeForClient: Pick<CloseInfo, 'code' | 'reason' | 'by'> | undefined = undefined;

  constructor(
    readonly id: number,
    req: IncomingMessage,
    settings: RelaySettings,
    private readonly ctx: RelayContext,
  ) {
    const { base } = settings;
    this.url = upstreamUrl(base.url, req.url ?? '/');
    const headers = [...forwardedHeaders(req.rawHeaders, settings.replaced), ...base.headers];
    const options: ClientOptions = {
      ...base,
      url: this.url,
      headers,
      subprotocols: offeredSubprotocols(req.headers['sec-websocket-protocol']),
      autoPong: false,
      followRedirects: false,
    };
    this.answer = new Promise((resolve) => {
      this.answered = resolve;
    });
    this.done = new Promise((resolve) => {
      this.allDone = resolve;
    });
    this.upstream = new ClientSession(options, (e) => this.upstreamEvent(e, settings.showRefusals), ctx.now);
    // A lost connection or a failed connect is said once, by the pair (held here, not shown).
    this.upstream.holdRetryable = true;
    this.upstream.onOpen = () => {
      this.upstreamOpen = true;
      // Nothing is read from the upstream until the client has its 101 and is paired.
      this.upstream.pause('backlog');
      this.answered({ protocol: this.upstream.protocol });
    };
    this.upstream.onIncoming = (data, binary) => this.toClient(data, binary);
    this.upstream.onControl = (kind, data) => this.control('upstream', kind, data);
    void this.upstream.finished.then((end) => this.upstreamFinished(end));
    // A client that goes away while its upstream is still answering takes the attempt with it.
    req.socket.once('close', () => {
      if (!this.client) this.upstream.close(1001, 'client gone');
    });
    this.upstream.connect();
  }

  /** The client has its 101: from now on everything is relayed. */
  attach(client: ServerClient): void {
    this.client = client;
    client.onControl = (kind, data) => this.control('client', kind, data);
    const early = this.early ?? [];
    this.early = null;
    for (const [data, binary] of early) this.toClient(data, binary);
    this.upstream.resume('backlog');
    if (this.closeForClient) this.passClose('upstream', this.closeForClient);
  }

  /** The client's handshake was answered but it never became a connection (it went away). */
  unpaired(): void {
    if (!this.client) this.upstream.close(1001, 'client gone');
  }

  get isOpen(): boolean {
    return this.client?.isOpen === true || this.upstream.isOpen;
  }

  /** A message from the client: to the upstream. */
  fromClient(data: Buffer, binary: boolean): void {
    this.pass(this.upstream, 'client', data, binary);
  }

  /** Our stdout is backed up (or has drained): the upstream is not read either. */
  outputPaused(paused: boolean): void {
    if (paused) this.upstream.pause('output');
    else this.upstream.resume('output');
  }

  /** The client's connection has closed: the upstream is closed the same way. */
  clientClosed(close: CloseInfo): void {
    this.clientEnded = true;
    this.passClose('client', close);
    this.settleIfDone();
  }

  /** `/client <id> …` or `/server <id> …`: a message, ping, pong or close of our own on one side. */
  inject(side: ProxySide, command: Exclude<ConnectionCommand, { cmd: 'file' }>): string | null {
    const target = side === 'client' ? this.client : this.upstream;
    if (!target?.isOpen) return `the ${side} of #${this.id} is not open`;
    switch (command.cmd) {
      case 'send':
        if (side === 'client') this.client!.send(command.data, command.binary);
        else this.upstream.send({ data: command.data, binary: command.binary }, () => {});
        return null;
      case 'ping':
        this.ownPings[side]++;
        target.ping(command.data);
        return null;
      case 'pong':
        target.pong(command.data);
        return null;
      case 'close':
        target.close(command.code, command.reason);
        return null;
    }
  }

  /** The proxy stops: an upstream still connecting is given up, an open one closed with `code`. */
  stop(code: number, reason: string): void {
    if (this.upstreamOpen) this.upstream.close(code, reason);
    else this.upstream.terminate();
  }

  private toClient(data: Buffer, binary: boolean): void {
    if (this.early) this.early.push([data, binary]);
    else if (this.client) this.pass(this.client, 'upstream', data, binary);
  }

  /**
   * One message on to `to`: when it takes the bytes waiting for `to` past RELAY_HIGH_BYTES, the side
   * it came from is not read until it has been written (then everything before it has been too).
   */
  private pass(to: ServerClient | ClientSession, from: ProxySide, data: Buffer, binary: boolean): void {
    to.batchWrites();
    if (this.held[from] || to.bufferedAmount + data.length <= RELAY_HIGH_BYTES) {
      to.forward(data, binary);
      return;
    }
    const source = from === 'client' ? this.client : this.upstream;
    this.held[from] = true;
    source?.pause('backlog');
    to.forward(data, binary, () => {
      this.held[from] = false;
      source?.resume('backlog');
    });
  }

  private control(from: ProxySide, kind: 'ping' | 'pong', data: Buffer): void {
    if (kind === 'pong' && this.ownPings[from] > 0) {
      this.ownPings[from]--;
      return;
    }
    const to = from === 'client' ? this.upstream : this.client;
    to?.forwardControl(kind, data);
  }

  /** The upstream's events carry the pair's id and side; what goes wrong before it opens is said once. */
  private upstreamEvent(e: SessionEvent, showRefusals: boolean): void {
    e.conn = this.id;
    e.side = 'upstream';
    if (!this.upstreamOpen) {
      // Said once, by the client's refusal line (502, or the upstream's answer passed on).
      if (e.event === 'error') return;
      if (e.event === 'response' && e.status !== 101) {
        this.refusal = e;
        if (!showRefusals) return;
      }
    }
    this.ctx.emit(e);
  }

  private upstreamFinished(end: ClientEnd): void {
    this.upstreamEnded = true;
    if (!this.upstreamOpen) {
      this.answered(this.refused(end));
    } else if (end.type === 'closed') {
      this.passClose('upstream', end.close);
    } else {
      const lost = end.failure.kind === 'lost';
      this.passClose('upstream', {
        code: lost ? 1006 : LOST_CODES.upstream,
        reason: lost ? '' : `upstream ${end.failure.kind} error`,
        by: lost ? 'none' : 'server',
      });
    }
    this.settleIfDone();
  }

  /** The answer a client gets when its upstream did not open: the upstream's own refusal, or 502. */
  private refused(end: ClientEnd): RelayAnswer {
    const refusal = this.refusal;
    if (refusal) {
      return {
        refusal: {
          status: refusal.status,
          reason: `the upstream answered ${refusal.status} ${refusal.statusText}`,
          headers: refusalHeaders(refusal.headers),
        },
        body: refusal.body?.toString('utf8') ?? '',
      };
    }
    const why = end.type === 'failed' ? end.failure.message : 'the upstream closed the connection';
    return {
      refusal: { status: 502, reason: why },
      body: `${httpStatusText(502)}: ${maskSecretsInText(why)}\n`,
    };
  }

  private passClose(from: ProxySide, close: Pick<CloseInfo, 'code' | 'reason' | 'by'>): void {
    const to = from === 'client' ? this.upstream : this.client;
    if (!to?.isOpen) {
      // A client gone before it was paired: its upstream (open or still connecting) goes too.
      if (from === 'client' && !this.upstreamEnded) this.stop(LOST_CODES.client, 'client gone');
      // An upstream gone before its client was paired: the client is closed once it is.
      if (from === 'upstream' && !this.client) this.closeForClient = close;
      return;
    }
    const passed = passedClose(from, close);
    // A lost client is told by its own close line (`connection lost: 1006 …`); a lost upstream's close
    // is not shown (its connection held the failure back): this is its one line.
    if ('lost' in passed && from === 'upstream') {
      this.ctx.emit({
        event: 'error',
        time: this.ctx.now(),
        conn: this.id,
        side: from,
        kind: 'lost',
        message: `the upstream of #${this.id} was lost (no close frame); closing the client with ${passed.code}`,
      });
    }
    // 1005 goes on as it came: a close frame without a code (the close methods take none then).
    to.close(passed.code as number, passed.reason);
  }

  private settleIfDone(): void {
    if ((this.clientEnded || !this.client) && this.upstreamEnded) this.allDone();
  }
}
