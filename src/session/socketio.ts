/**
 * `connect --socketio`: the Engine.IO and Socket.IO layer between one WebSocket connection and the run.
 * It answers (Engine.IO 4) or sends (Engine.IO 3) the heartbeat, connects the namespace (with its auth
 * payload), reassembles binary attachments, turns raw messages into `socketio` events both ways, and
 * tells the run what counts as a received message (an event). Loaded only with --socketio (the codec
 * comes with it): without the flag none of this is in memory.
 */
import type { SessionEvent, SocketIoEvent } from '../output/events.js';
import type { EndInput } from '../protocol/end-policy.js';
import type { Failure } from '../protocol/failures.js';
import {
  argsToJson,
  authQuery,
  decodeEngine,
  decodeSio,
  type EioVersion,
  type EngineOpen,
  encodeEngine,
  encodeEngineBinary,
  encodeSio,
  engineUrl,
  parseEmit,
  parseEventArray,
  SioDecoder,
  type SioPacket,
} from '../protocol/socketio.js';
import type { MessageLayer } from './client-run.js';
import type { OutMessage } from './outbox.js';

export interface SocketIoSettings {
  eio: EioVersion;
  /** The namespace to connect, `/` by default. */
  namespace: string;
  /** --socketio-auth: the CONNECT payload (Socket.IO 3+), the namespace query for Socket.IO 2. */
  auth?: Record<string, unknown>;
  /** -vv: the raw Engine.IO messages are shown too. */
  showRaw: boolean;
  /** How long the Engine.IO open and the namespace CONNECT may take. */
  connectTimeoutMs: number;
  /** The first ack id the layer gives out (--emit-ack took those before). */
  firstAckId?: number;
}

/** What the layer needs of a connection. */
export interface SocketIoConnection {
  send(message: OutMessage, done: (err?: Error) => void): void;
  abort(failure: Failure): void;
}

/** `--socketio` and its options, resolved (cli/socketio-options.ts). */
export interface SocketIoPlan {
  path: string;
  eio: EioVersion;
  /** --namespace; otherwise the URL's path, or `/`. */
  namespace?: string;
  auth?: Record<string, unknown>;
  /** --emit texts, each with its place among the --send messages. */
  emits: ReadonlyArray<{ at: number; text: string; ack?: boolean }>;
  connectTimeoutMs: number;
}

/** What `connect` needs to run a Socket.IO session, made from the plan once the layer is loaded. */
export interface SocketIoSetup {
  /** The Engine.IO URL to open. */
  url: string;
  /** The --send and --emit messages, in command-line order. */
  initial: OutMessage[];
  /** Piped lines: JSON arrays `["event", ...args]`. */
  decodeLine: (line: Buffer) => { ok: true; value: OutMessage } | { ok: false; error: string };
  layer: (connection: SocketIoConnection, emit: (e: SessionEvent) => void) => SocketIoLayer;
  /** The layer of the current connection (the prompt's /emit, /ns). */
  current?: SocketIoLayer;
  /** The prompt's typed events, /emit, /emit-ack and /ns: messages to send, or why not. */
  prompt: {
    emit(text: string, ack: boolean): OutMessage[] | string;
    namespace(ns: string): OutMessage[] | string;
  };
}

/**
 * Checks the --emit texts (a usage error names the bad one) and builds the setup. `now` is the clock,
 * `showRaw` is -vv.
 */
export function prepareSocketIo(
  plan: SocketIoPlan,
  url: string,
  sends: readonly OutMessage[],
  showRaw: boolean,
  now: () => number,
): SocketIoSetup | { error: string } {
  const engine = engineUrl(url, plan.path, plan.eio);
  const namespace = plan.namespace ?? engine.namespace ?? '/';
  const initial = [...sends];
  // --emit-ack ids count from 0, in command-line order; the prompt's /emit-ack goes on from there.
  let ackIds = plan.emits.filter((e) => e.ack).length;
  // Inserted from the last, so the places of the earlier ones stay right.
  for (const emit of [...plan.emits].reverse()) {
    const parsed = parseEmit(emit.text);
    if (!parsed.ok) return { error: `--emit${emit.ack ? '-ack' : ''} ${emit.text}: ${parsed.error}` };
    const id = emit.ack ? --ackIds : undefined;
    initial.splice(emit.at, 0, ...emitMessages(plan.eio, namespace, parsed.value, id));
  }
  const settings: SocketIoSettings = {
    eio: plan.eio,
    namespace,
    auth: plan.auth,
    showRaw,
    connectTimeoutMs: plan.connectTimeoutMs,
    firstAckId: plan.emits.filter((e) => e.ack).length,
  };
  const setup: SocketIoSetup = {
    url: engine.url,
    initial,
    decodeLine(line) {
      const parsed = parseEventArray(line.toString('utf8'));
      if (!parsed.ok) return parsed;
      const [message, ...attachments] = emitMessages(plan.eio, setup.current?.namespace ?? namespace, parsed.value);
      // JSON carries no binary: an event from a line is always one text message.
      return attachments.length === 0 ? { ok: true, value: message } : { ok: false, error: 'binary in a line' };
    },
    layer(connection, emit) {
      setup.current = new SocketIoLayer(settings, connection, emit, now);
      return setup.current;
    },
    prompt: {
      emit(text, ack) {
        const parsed = parseEmit(text);
        if (!parsed.ok) return `/emit: ${parsed.error}`;
        if (!setup.current) return '/emit: not connected yet';
        return setup.current.emitMessages(parsed.value, ack);
      },
      namespace(ns) {
        if (!setup.current) return '/ns: not connected yet';
        return setup.current.switchNamespace(ns);
      },
    },
  };
  return setup;
}

const text = (s: string): OutMessage => ({ data: Buffer.from(s, 'utf8'), binary: false });
const noop = () => {};

/** An event as a pipe line / --expect text: `["chat","hi",{"from":"ann"}]`, binary as {"$binary":…}. */
export function eventLine(name: string, args: readonly unknown[]): string {
  return JSON.stringify(argsToJson([name, ...args]));
}

/** Encodes an emit (`["event", ...args]`) for the current namespace: the message(s) to send. */
export function emitMessages(eio: EioVersion, nsp: string, event: readonly unknown[], ackId?: number): OutMessage[] {
  const { text: body, attachments } = encodeSio({ type: 'EVENT', nsp, data: event, id: ackId });
  return [
    text(encodeEngine('message', body)),
    ...attachments.map((a) => ({ data: encodeEngineBinary(a, eio), binary: true })),
  ];
}

/** `--socketio-auth` checked: a JSON object. */
export function parseAuth(json: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  try {
    const v = JSON.parse(json) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return { ok: true, value: v as Record<string, unknown> };
  } catch {
    // fall through
  }
  return { ok: false, error: `--socketio-auth ${json}: expected a JSON object, e.g. '{"token":"abc"}'` };
}

export class SocketIoLayer implements MessageLayer {
  /** The namespace typed emits go to (`/ns` changes it). */
  namespace: string;
  private open: EngineOpen | null = null;
  private readonly decoder = new SioDecoder();
  private ready: (() => void) | null = null;
  private connected = new Set<string>();
  private heartbeat?: NodeJS.Timeout;
  private handshakeTimer?: NodeJS.Timeout;
  /** Our emits waiting for their ack: id → when sent. */
  private readonly acks = new Map<number, number>();
  private nextAckId = 0;
  /** The handshake was refused with "Unsupported protocol version": the error gets a hint. */
  private unsupportedVersion = false;
  private stopped = false;
  /** We are closing: the heartbeat is no longer armed. */
  private closingDown = false;

  constructor(
    private readonly settings: SocketIoSettings,
    private readonly connection: SocketIoConnection,
    private readonly emit: (e: SessionEvent) => void,
    private readonly now: () => number,
  ) {
    this.namespace = settings.namespace;
    this.nextAckId = settings.firstAckId ?? 0;
  }

  opened(ready: () => void): void {
    this.ready = ready;
    const ms = this.settings.connectTimeoutMs;
    this.handshakeTimer = setTimeout(
      () =>
        this.fail({
          kind: 'handshake',
          message: `${this.open ? `no Socket.IO CONNECT answer for namespace ${this.namespace}` : 'no Engine.IO open packet'} within ${ms / 1000} s`,
          hint: 'is this a Socket.IO server? see --socketio-path and --eio',
        }),
      ms,
    );
  }

  closing(): void {
    this.closingDown = true;
    clearTimeout(this.heartbeat);
    clearTimeout(this.handshakeTimer);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.heartbeat);
    clearTimeout(this.handshakeTimer);
  }

  /** A session event on its way out: raw messages give way to `socketio` events. */
  view(e: SessionEvent): boolean {
    if (e.event === 'response' && e.body?.toString('utf8').includes('Unsupported protocol version')) {
      this.unsupportedVersion = true;
    }
    if (e.event === 'error' && e.kind === 'handshake' && this.unsupportedVersion) {
      const other = this.settings.eio === 4 ? '--eio 3 (a Socket.IO 2 server)' : '--eio 4 (Socket.IO 3 and 4)';
      this.emit({ ...e, hint: `the server speaks another Engine.IO version: try ${other}` });
      return false;
    }
    // Socket.IO 3 and 4 answer an Engine.IO 3 upgrade with a 101 followed by a plain-text HTTP 400
    // "Unsupported protocol version", which reads as a broken frame: say what it most likely is.
    if (e.event === 'error' && e.kind === 'protocol' && this.open === null && !e.hint) {
      const hint =
        this.settings.eio === 3
          ? 'no Engine.IO open packet came: a Socket.IO 3 or 4 server refuses Engine.IO 3 ("Unsupported protocol version"): try --eio 4'
          : 'no Engine.IO open packet came: is this a Socket.IO server? see --socketio-path and --eio';
      this.emit({ ...e, hint });
      return false;
    }
    if (e.event !== 'message') return true;
    if (e.dir === 'out') this.sent(e.data, e.binary);
    return this.settings.showRaw;
  }

  /** A message received: what the end policy hears (events only; the heartbeat is not a message). */
  incoming(data: Buffer, isBinary: boolean): EndInput[] {
    if (this.stopped) return [];
    const packet = decodeEngine(data, isBinary, this.settings.eio);
    if (!packet.ok) return this.protocolError(packet.error);
    const p = packet.value;
    switch (p.type) {
      case 'open':
        return this.engineOpen(p.open);
      case 'ping':
        this.show({ dir: 'in', type: 'ping' });
        if (this.settings.eio === 4) {
          this.connection.send(text(encodeEngine('pong', p.data)), noop);
          this.armHeartbeat();
        }
        return [];
      case 'pong':
        this.show({ dir: 'in', type: 'pong' });
        if (this.settings.eio === 3) this.schedulePing();
        return [];
      case 'close':
        this.show({ dir: 'in', type: 'disconnect' });
        return [];
      case 'message': {
        const decoded = this.decoder.text(p.data);
        if (!decoded.ok) return this.protocolError(decoded.error);
        return decoded.value ? this.packet(decoded.value) : [];
      }
      case 'binary': {
        const decoded = this.decoder.binary(p.data);
        if (!decoded.ok) return this.protocolError(decoded.error);
        return decoded.value ? this.packet(decoded.value) : [];
      }
      default:
        return [];
    }
  }

  /** `/emit-ack`: sends with an ack id; the ack is shown with its round trip. */
  emitMessages(event: readonly unknown[], withAck: boolean): OutMessage[] {
    return emitMessages(this.settings.eio, this.namespace, event, withAck ? this.nextAckId++ : undefined);
  }

  /** `/ns <name>`: connect another namespace (if needed); typed emits go there from now on. */
  switchNamespace(nsp: string): OutMessage[] {
    this.namespace = nsp;
    return this.connected.has(nsp) ? [] : [this.connectMessage(nsp)];
  }

  private engineOpen(open: EngineOpen): EndInput[] {
    this.open = open;
    this.show({ dir: 'in', type: 'open', ns: '/', open });
    if (this.settings.eio === 4) {
      this.connection.send(this.connectMessage(this.namespace), noop);
      this.armHeartbeat();
    } else {
      // Socket.IO 2 connects the main namespace by itself; another is asked for once that is done.
      this.schedulePing();
    }
    return [];
  }

  private connectMessage(nsp: string): OutMessage {
    const auth = this.settings.auth;
    if (this.settings.eio === 4) {
      return text(encodeEngine('message', encodeSio({ type: 'CONNECT', nsp, data: auth }).text));
    }
    const query = auth ? authQuery(auth) : undefined;
    return text(encodeEngine('message', encodeSio({ type: 'CONNECT', nsp, query }).text));
  }

  private packet(p: SioPacket): EndInput[] {
    switch (p.type) {
      case 'CONNECT': {
        const sid = (p.data as { sid?: unknown } | undefined)?.sid;
        if (this.settings.eio === 4 && typeof sid !== 'string') {
          this.fail({
            kind: 'handshake',
            message: 'the server speaks Socket.IO 2 (Engine.IO 3): it connected the namespace without being asked',
            hint: 'use --eio 3',
          });
          return [];
        }
        this.connected.add(p.nsp);
        this.show({ dir: 'in', type: 'connect', ns: p.nsp, ...(typeof sid === 'string' ? { sid } : {}) });
        if (this.settings.eio === 3 && p.nsp === '/' && this.namespace !== '/' && !this.connected.has(this.namespace)) {
          this.connection.send(this.connectMessage(this.namespace), noop);
        }
        if (p.nsp === this.namespace && this.ready) {
          clearTimeout(this.handshakeTimer);
          const ready = this.ready;
          this.ready = null;
          ready();
        }
        return [];
      }
      case 'CONNECT_ERROR': {
        const d = p.data as { message?: unknown } | string | undefined;
        const why = typeof d === 'string' ? d : typeof d?.message === 'string' ? d.message : JSON.stringify(d ?? null);
        this.show({ dir: 'in', type: 'connect-error', ns: p.nsp, message: why });
        this.fail({ kind: 'handshake', message: `Socket.IO namespace ${p.nsp} refused the connection: ${why}` });
        return [];
      }
      case 'DISCONNECT':
        this.connected.delete(p.nsp);
        this.show({ dir: 'in', type: 'disconnect', ns: p.nsp });
        return [];
      case 'EVENT':
      case 'BINARY_EVENT': {
        const [name, ...args] = p.data as unknown[];
        const label = typeof name === 'string' ? name : JSON.stringify(name);
        this.show({ dir: 'in', type: 'event', ns: p.nsp, name: label, args, ackId: p.id });
        return [{ type: 'message', text: eventLine(label, args), event: { name: label, args } }];
      }
      default: {
        const sentAt = p.id !== undefined ? this.acks.get(p.id) : undefined;
        if (p.id !== undefined) this.acks.delete(p.id);
        const args = p.data as unknown[];
        this.show({
          dir: 'in',
          type: 'ack',
          ns: p.nsp,
          args,
          ackId: p.id,
          ...(sentAt !== undefined ? { rttMs: this.now() - sentAt } : {}),
        });
        return [];
      }
    }
  }

  /** A message we sent (an outbox message, a heartbeat, a CONNECT), shown as what it means. */
  private sent(data: Buffer, isBinary: boolean): void {
    if (isBinary) return;
    const packet = decodeEngine(data, false, this.settings.eio);
    if (!packet.ok) return;
    const p = packet.value;
    if (p.type === 'ping' || p.type === 'pong') this.show({ dir: 'out', type: p.type });
    if (p.type !== 'message') return;
    const sio = decodeSio(p.data);
    if (!sio.ok) return;
    const s = sio.value;
    if (s.type === 'EVENT' || s.type === 'BINARY_EVENT') {
      const [name, ...args] = s.data as unknown[];
      if (s.id !== undefined) this.acks.set(s.id, this.now());
      this.show({ dir: 'out', type: 'event', ns: s.nsp, name: String(name), args, ackId: s.id });
    } else if (s.type === 'CONNECT') this.show({ dir: 'out', type: 'connect', ns: s.nsp });
  }

  /** Engine.IO 4: the server pings every pingInterval; none within pingInterval + pingTimeout is a loss. */
  private armHeartbeat(): void {
    const open = this.open;
    if (!open || this.stopped || this.closingDown) return;
    clearTimeout(this.heartbeat);
    const ms = open.pingInterval + open.pingTimeout;
    this.heartbeat = setTimeout(
      () => this.fail({ kind: 'lost', message: `connection lost: no Engine.IO ping from the server within ${ms} ms` }),
      ms,
    );
  }

  /** Engine.IO 3: we ping every pingInterval and expect the pong within pingTimeout. */
  private schedulePing(): void {
    const open = this.open;
    if (!open || this.stopped || this.closingDown) return;
    clearTimeout(this.heartbeat);
    this.heartbeat = setTimeout(() => {
      this.connection.send(text(encodeEngine('ping')), noop);
      this.heartbeat = setTimeout(
        () =>
          this.fail({
            kind: 'lost',
            message: `connection lost: no Engine.IO pong within ${open.pingTimeout} ms of our ping`,
          }),
        open.pingTimeout,
      );
    }, open.pingInterval);
  }

  private protocolError(message: string): EndInput[] {
    this.fail({ kind: 'protocol', message: `Socket.IO protocol violation by the server: ${message}` });
    return [];
  }

  private fail(failure: Failure): void {
    if (this.stopped) return;
    this.stop();
    this.connection.abort(failure);
  }

  private show(e: Omit<SocketIoEvent, 'event' | 'time' | 'ns'> & { ns?: string }): void {
    this.emit({ event: 'socketio', time: this.now(), ns: '/', ...e } as SocketIoEvent);
  }
}
