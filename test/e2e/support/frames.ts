/**
 * The e2e suite's one WebSocket frame codec (RFC 6455 §5.2), for raw peers that must be able to break
 * the protocol: `frame()` builds any frame (opcode, FIN and RSV bits, a mask or none, a length field
 * claiming more than is sent), and `FrameParser` reads frames incrementally, masked or not, payloads
 * unmasked. (src/protocol/frames.ts is the CLI's own parser for the -vv wire view: it reports headers
 * and keeps no data payloads, so it cannot serve here.)
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** Mask the payload with this 4-byte key, or with a fresh random one for `true` (clients must; servers must not). */
  mask?: Buffer | boolean;
  /** The payload length the header claims (default: the payload's); a larger claim leaves the frame unfinished. */
  claimedLength?: bigint;
}

/** One frame's bytes, exactly as specified: nothing is checked, so any rule can be broken. */
export function frame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : (spec.payload ?? Buffer.alloc(0));
  const length = spec.claimedLength ?? BigInt(payload.length);
  const first =
    (spec.fin === false ? 0 : 0x80) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  const mask = spec.mask === true ? randomBytes(4) : spec.mask || undefined;
  const maskBit = mask ? 0x80 : 0;
  let head: Buffer;
  if (length < 126n) {
    head = Buffer.from([first, maskBit | Number(length)]);
  } else if (length < 0x10000n) {
    head = Buffer.alloc(4);
    head[0] = first;
    head[1] = maskBit | 126;
    head.writeUInt16BE(Number(length), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(length, 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i % 4];
  return Buffer.concat([head, mask, masked]);
}

/** A frame as a client sends it: masked with a fresh random key unless `spec.mask` says otherwise. */
export const clientFrame = (spec: FrameSpec): Buffer => frame({ mask: true, ...spec });

export const textFrame = (text: string | Buffer): Buffer => frame({ opcode: Opcode.Text, payload: text });

/** A close frame's payload: `code` in two bytes, then `reason` (raw bytes allowed); empty without a code. */
export function closePayload(code?: number, reason: Buffer | string = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const reasonBytes = typeof reason === 'string' ? Buffer.from(reason, 'utf8') : reason;
  const payload = Buffer.alloc(2 + reasonBytes.length);
  payload.writeUInt16BE(code, 0);
  reasonBytes.copy(payload, 2);
  return payload;
}

/** A server's (unmasked) close frame; no code at all when `code` is undefined. */
export const closeFrame = (code?: number, reason: Buffer | string = ''): Buffer =>
  frame({ opcode: Opcode.Close, payload: closePayload(code, reason) });

/** A client's (masked) close frame; no code at all when `code` is undefined. */
export const clientCloseFrame = (code?: number, reason: Buffer | string = ''): Buffer =>
  clientFrame({ opcode: Opcode.Close, payload: closePayload(code, reason) });

export interface ReceivedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Unmasked. */
  payload: Buffer;
}

/** Incremental parser for frames arriving on a socket (any length encoding, masked or not). */
export class FrameParser {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): ReceivedFrame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: ReceivedFrame[] = [];
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      const masked = (b[1] & 0x80) !== 0;
      let length = b[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (b.length < offset + length) break;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskAt + (i % 4)];
      frames.push({ fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 0x7, opcode: b[0] & 0x0f, masked, payload });
      this.buffer = b.subarray(offset + length);
    }
    return frames;
  }
}

/**
 * The frames one side of a connection has received, in order, parsed from the chunks its owner passes
 * to `read`, and a way to wait for one. The raw server's peers and the raw client are both one.
 */
export class FrameReader {
  /** Resolves when the TCP connection is fully closed. */
  readonly ended: Promise<void>;
  /** Every frame received so far, in order. */
  readonly frames: ReceivedFrame[] = [];
  private readonly parser = new FrameParser();
  private readonly waiters: Array<{ test: (f: ReceivedFrame) => boolean; resolve: (f: ReceivedFrame) => void }> = [];
  private readonly endWaiters: Array<() => void> = [];
  private endedYet = false;

  constructor(socket: Socket) {
    this.ended = new Promise((resolve) =>
      socket.once('close', () => {
        this.endedYet = true;
        for (const reject of this.endWaiters.splice(0)) reject();
        resolve();
      }),
    );
  }

  /**
   * Resolves with the first frame (already received or to come) that passes `test`; rejects if the
   * connection closes without one.
   */
  nextFrame(test: (f: ReceivedFrame) => boolean = () => true): Promise<ReceivedFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    if (this.endedYet) return Promise.reject(new Error('the connection closed without such a frame'));
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve };
      this.waiters.push(waiter);
      this.endWaiters.push(() => {
        const at = this.waiters.indexOf(waiter);
        if (at === -1) return;
        this.waiters.splice(at, 1);
        reject(new Error('the connection closed without such a frame'));
      });
    });
  }

  /** Parses the next bytes received; returns the frames they complete, already recorded and waiters served. */
  protected read(chunk: Buffer): ReceivedFrame[] {
    const got = this.parser.push(chunk);
    for (const f of got) {
      this.frames.push(f);
      for (const w of this.waiters.slice()) {
        if (w.test(f)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    }
    return got;
  }
}

export interface CloseRecord {
  /** 1005 when the close frame carried no code. */
  code: number;
  reason: string;
}

export function parseClosePayload(payload: Buffer): CloseRecord {
  if (payload.length < 2) return { code: 1005, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}

/**
 * The close code in the first close frame a server sent after its 101 answer (1005 when it carried none),
 * given all it sent, the HTTP answer included; undefined without a complete close frame.
 */
export function closeCodeSent(received: Buffer): number | undefined {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const close = new FrameParser().push(received.subarray(end + 4)).find((f) => f.opcode === Opcode.Close);
  return close && parseClosePayload(close.payload).code;
}
