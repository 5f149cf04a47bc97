/**
 * A passive, incremental WebSocket frame-header parser (RFC 6455 §5.2) for the `-vv` wire view. Pure.
 *
 * One `FrameParser` observes one direction of one connection: feed it the bytes after the upgrade, in
 * arrival order, split anywhere. It only reports headers — `ws` stays the protocol engine — so it never
 * unmasks or inflates data frames. Memory is O(header): it keeps at most a 14-byte header and counts data
 * payload bytes past without holding them, so a 256 MiB transfer costs nothing. Control frames (at most 125
 * bytes) are the exception: their payload is collected and unmasked, so a ping's data and a close frame's
 * code and reason can be shown.
 *
 * A frame is reported once its last payload byte has passed (a 0-byte frame as soon as its header is
 * complete), so frames come out in wire order and a frame cut short by a lost connection is never reported
 * as whole (`inFrame` tells it was cut).
 *
 * Errors: garbage never throws. A header the RFC forbids whatever the extensions and roles — a 64-bit length
 * with its most significant bit set, a length above 2^53 - 1 (it could not be counted exactly; ws refuses it
 * too), a control frame longer than 125 bytes or a fragmented one — makes the framing of everything after it
 * untrustworthy. The `push` that meets it returns the frames completed before it and sets `error` (once; it
 * never changes afterwards); from then on `push` returns `[]`. So the caller reports the error when `error`
 * goes from undefined to set:
 *
 *     const frames = parser.push(chunk);
 *     if (parser.error && !reported) { reported = true; ... }
 *
 * What depends on negotiation or role is reported, not judged: RSV bits (permessage-deflate sets RSV1),
 * reserved opcodes (`opcodeName: 'reserved'`), masking, non-minimal length encodings and the order of
 * fragments (an extension may define interleaving). The endpoint (`ws`) enforces those and closes with its
 * own code; the wire view shows what was actually sent.
 */

export type FrameOpcodeName = 'continuation' | 'text' | 'binary' | 'close' | 'ping' | 'pong' | 'reserved';

export interface FrameInfo {
  /** 0–15, as on the wire. */
  opcode: number;
  opcodeName: FrameOpcodeName;
  fin: boolean;
  /** Set on the first frame of a message compressed by permessage-deflate. */
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  masked: boolean;
  /** Payload length as on the wire (compressed size when RSV1 is set). */
  length: number;
  /** 2 + extended length (0, 2 or 8) + masking key (0 or 4). */
  headerLength: number;
  /** Control frames (opcode >= 8) only: the payload, unmasked, a fresh buffer the caller may keep. */
  payload?: Buffer;
  /** Close frames whose payload holds at least 2 bytes. */
  closeCode?: number;
  /** Close frames whose payload holds at least 2 bytes: the UTF-8 reason (invalid sequences become U+FFFD). */
  closeReason?: string;
}

export type FrameErrorCode = 'length-msb-set' | 'length-too-large' | 'control-too-long' | 'control-fragmented';

export interface FrameParseError {
  code: FrameErrorCode;
  /** One line for display, e.g. "control frame (ping) with a payload length of 126 (at most 125 allowed)". */
  message: string;
  /** Byte offset in this stream where the offending frame starts. */
  offset: number;
}

const OPCODE_NAMES: Readonly<Record<number, FrameOpcodeName>> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};

export function opcodeName(opcode: number): FrameOpcodeName {
  return OPCODE_NAMES[opcode] ?? 'reserved';
}

/** Control frames are those whose opcode has its most significant bit set (RFC 6455 §5.5). */
export function isControlOpcode(opcode: number): boolean {
  return opcode >= 0x8;
}

const MAX_CONTROL_PAYLOAD = 125;
const MAX_HEADER = 14;
/** 2^53 - 1 is the largest length a number counts exactly: the upper 32 bits may be at most 2^21 - 1. */
const MAX_LENGTH_HIGH_WORD = 0x1fffff;

export class FrameParser {
  private failure: FrameParseError | undefined = undefined;

  private readonly header = Buffer.alloc(MAX_HEADER);
  private headerFilled = 0;
  /** Bytes of header to collect: 2 until the second byte tells the full size. */
  private headerNeeded = 2;
  /** The frame whose payload is passing, once its header is complete. */
  private frame: FrameInfo | undefined = undefined;
  private payloadRemaining = 0;
  /** Control frames only: where the unmasked payload is collected. */
  private control: Buffer | undefined = undefined;
  private controlFilled = 0;
  /** Bytes consumed so far in this stream, and where the current frame started. */
  private consumed = 0;
  private frameStart = 0;

  /** Set once, by the `push` that meets a forbidden header, and never changed; `push` returns `[]` from then on. */
  get error(): FrameParseError | undefined {
    return this.failure;
  }

  /** True when part of a frame has been seen but not all of it (e.g. the connection was cut mid-frame). */
  get inFrame(): boolean {
    return this.failure === undefined && (this.headerFilled > 0 || this.frame !== undefined);
  }

  /** Feeds the next bytes of the stream; returns the frames they complete, in order. */
  push(chunk: Buffer): FrameInfo[] {
    const frames: FrameInfo[] = [];
    let pos = 0;
    while (pos < chunk.length && this.failure === undefined) {
      if (this.frame === undefined) {
        pos = this.readHeader(chunk, pos, frames);
      } else {
        pos = this.readPayload(chunk, pos, frames);
      }
    }
    this.consumed += pos;
    return frames;
  }

  private readHeader(chunk: Buffer, start: number, frames: FrameInfo[]): number {
    if (this.headerFilled === 0) this.frameStart = this.consumed + start;
    const take = Math.min(this.headerNeeded - this.headerFilled, chunk.length - start);
    chunk.copy(this.header, this.headerFilled, start, start + take);
    this.headerFilled += take;
    const pos = start + take;
    if (this.headerFilled < this.headerNeeded) return pos;

    if (this.headerNeeded === 2) {
      const failure = this.checkFirstTwoBytes();
      if (failure) {
        this.fail(failure[0], failure[1]);
        return pos;
      }
      const length7 = this.header[1]! & 0x7f;
      const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
      const maskBytes = this.header[1]! & 0x80 ? 4 : 0;
      this.headerNeeded = 2 + extended + maskBytes;
      if (this.headerNeeded > 2) return pos;
    }

    const length = this.payloadLength();
    if (length === undefined) return pos;
    this.beginFrame(length, frames);
    return pos;
  }

  /** Rules that the first two bytes settle: control frames are unfragmented and short (RFC 6455 §5.5). */
  private checkFirstTwoBytes(): [FrameErrorCode, string] | undefined {
    const opcode = this.header[0]! & 0x0f;
    if (!isControlOpcode(opcode)) return undefined;
    const known = opcodeName(opcode);
    const name = `control frame (${known === 'reserved' ? `reserved opcode ${opcode}` : known})`;
    if (!(this.header[0]! & 0x80)) {
      return ['control-fragmented', `${name} with FIN clear: control frames must not be fragmented`];
    }
    const length7 = this.header[1]! & 0x7f;
    if (length7 > MAX_CONTROL_PAYLOAD) {
      const said = length7 === 126 ? 'a 16-bit' : 'a 64-bit';
      return ['control-too-long', `${name} with ${said} payload length: at most ${MAX_CONTROL_PAYLOAD} bytes allowed`];
    }
    return undefined;
  }

  /** The payload length from a complete header, or undefined after reporting an impossible one. */
  private payloadLength(): number | undefined {
    const length7 = this.header[1]! & 0x7f;
    if (length7 < 126) return length7;
    if (length7 === 126) return this.header.readUInt16BE(2);
    const high = this.header.readUInt32BE(2);
    if (high & 0x80000000) {
      this.fail('length-msb-set', 'invalid 64-bit payload length: its most significant bit must be 0');
      return undefined;
    }
    if (high > MAX_LENGTH_HIGH_WORD) {
      this.fail(
        'length-too-large',
        `unsupported payload length 0x${this.header.toString('hex', 2, 10)}: above 2^53 - 1`,
      );
      return undefined;
    }
    return high * 2 ** 32 + this.header.readUInt32BE(6);
  }

  private beginFrame(length: number, frames: FrameInfo[]): void {
    const b0 = this.header[0]!;
    const b1 = this.header[1]!;
    const opcode = b0 & 0x0f;
    this.frame = {
      opcode,
      opcodeName: opcodeName(opcode),
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      masked: (b1 & 0x80) !== 0,
      length,
      headerLength: this.headerNeeded,
    };
    this.payloadRemaining = length;
    if (isControlOpcode(opcode)) {
      this.control = Buffer.alloc(length);
      this.controlFilled = 0;
    }
    if (length === 0) this.endFrame(frames);
  }

  private readPayload(chunk: Buffer, start: number, frames: FrameInfo[]): number {
    const take = Math.min(this.payloadRemaining, chunk.length - start);
    if (this.control) this.collectControl(chunk, start, take);
    this.payloadRemaining -= take;
    if (this.payloadRemaining === 0) this.endFrame(frames);
    return start + take;
  }

  private collectControl(chunk: Buffer, start: number, take: number): void {
    const control = this.control!;
    const masked = this.frame!.masked;
    // The masking key is the last 4 header bytes; byte i of the payload is XORed with key[i % 4].
    const keyAt = this.headerNeeded - 4;
    for (let i = 0; i < take; i++) {
      const at = this.controlFilled + i;
      const byte = chunk[start + i]!;
      control[at] = masked ? byte ^ this.header[keyAt + (at & 3)]! : byte;
    }
    this.controlFilled += take;
  }

  private endFrame(frames: FrameInfo[]): void {
    const frame = this.frame!;
    if (this.control) {
      frame.payload = this.control;
      if (frame.opcode === 0x8 && this.control.length >= 2) {
        frame.closeCode = this.control.readUInt16BE(0);
        frame.closeReason = this.control.toString('utf8', 2);
      }
    }
    frames.push(frame);
    this.frame = undefined;
    this.control = undefined;
    this.controlFilled = 0;
    this.headerFilled = 0;
    this.headerNeeded = 2;
  }

  private fail(code: FrameErrorCode, message: string): void {
    this.failure = { code, message, offset: this.frameStart };
    this.frame = undefined;
    this.control = undefined;
  }
}
