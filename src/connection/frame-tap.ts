/**
 * The `-vv` wire view: a passive tap on a WebSocket's TCP socket after the upgrade. Incoming bytes are
 * read by a listener placed before ws's own; outgoing bytes are seen as ws writes them. Both feed a pure
 * FrameParser; ws stays the protocol engine. Installed only with -vv, so it costs nothing otherwise.
 */
import type { Socket } from 'node:net';
import type { FrameEvent } from '../output/events.js';
import { type FrameInfo, FrameParser } from '../protocol/frames.js';

type Direction = 'in' | 'out';

/**
 * Taps `socket` (call it when ws has just taken the socket over: the client's 'open', the server's
 * 'connection'); `conn` is the server's client id.
 */
export function tapFrames(socket: Socket, emit: (e: FrameEvent) => void, now: () => number, conn?: number): void {
  const parsers: Record<Direction, FrameParser> = { in: new FrameParser(), out: new FrameParser() };
  const report = (dir: Direction, frames: FrameInfo[]) => {
    for (const f of frames) {
      emit({
        event: 'frame',
        time: now(),
        conn,
        dir,
        opcode: f.opcode,
        opcodeName: f.opcodeName,
        fin: f.fin,
        rsv1: f.rsv1,
        masked: f.masked,
        length: f.length,
        closeCode: f.closeCode,
      });
    }
  };
  socket.prependListener('data', (chunk: Buffer) => report('in', parsers.in.push(chunk)));
  const write = socket.write;
  socket.write = function tappedWrite(this: Socket, chunk: unknown, ...rest: unknown[]) {
    // Parsed before it is written, and the parser keeps none of it (it copies the header and a control
    // frame's payload into buffers of its own): no copy of the bytes, only a Buffer view of them.
    if (Buffer.isBuffer(chunk)) report('out', parsers.out.push(chunk));
    else if (chunk instanceof Uint8Array)
      report('out', parsers.out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    else if (typeof chunk === 'string') report('out', parsers.out.push(Buffer.from(chunk)));
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Socket['write'];
}
