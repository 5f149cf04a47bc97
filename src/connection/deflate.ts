/**
 * permessage-deflate (RFC 7692) as both sides of wsprobe negotiate it, in one place.
 *
 * ws compresses every message, however short, unless the sender's side has no context takeover; only
 * then does it honour its 1 KiB threshold. Compressing a 40-byte line costs more than sending it (and
 * the peer has to inflate it): 100 000 short lines between `connect` and `wsprobe echo` took 10–20 times
 * as long as without deflate. So each side's compressor starts afresh with every message (no context
 * takeover, which also means no state carried between messages), and messages under 1 KiB go as they
 * are. Level 1 trades a few percent of ratio for several times the speed; a 8 KiB window and memLevel 7
 * keep a compressor at ~100 KiB instead of ~260 KiB per connection (zlib: 2^(windowBits+2) +
 * 2^(memLevel+9) bytes).
 *
 * The server also asks clients to compress without context takeover (ws clients then honour their own
 * threshold too), inflates one message at a time for all its clients (zlib concurrency 1: a deflate
 * bomb holds at most one inflated message in the making), and compresses only messages of at most
 * `SERVER_COMPRESS_MAX_BYTES` (see `serverCompresses`).
 */
import type { PerMessageDeflateOptions } from 'ws';

/** Messages shorter than this are sent uncompressed. */
export const DEFLATE_THRESHOLD_BYTES = 1024;

/**
 * The server sends larger messages uncompressed: every compressed copy is a copy per client (a
 * broadcast to N clients would hold N of them, and wait in one zlib queue), while an uncompressed
 * message is one buffer shared by every socket it goes to.
 */
export const SERVER_COMPRESS_MAX_BYTES = 64 * 1024;

const COMPRESSOR = { level: 1, memLevel: 7 };
const WINDOW_BITS = 13;

/** What `listen` and `echo` accept (`perMessageDeflate` of ws's `WebSocketServer`). */
export const SERVER_DEFLATE: PerMessageDeflateOptions = {
  threshold: DEFLATE_THRESHOLD_BYTES,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: WINDOW_BITS,
  zlibDeflateOptions: COMPRESSOR,
  // ws's limiter is per process (the first instance sets it): in a server, one zlib job at a time.
  concurrencyLimit: 1,
};

/** What `connect` offers (`perMessageDeflate` of ws's client). */
export const CLIENT_DEFLATE: PerMessageDeflateOptions = {
  threshold: DEFLATE_THRESHOLD_BYTES,
  clientNoContextTakeover: true,
  clientMaxWindowBits: WINDOW_BITS,
  zlibDeflateOptions: COMPRESSOR,
};

/** Whether the server compresses a message of `size` bytes (when deflate was negotiated). */
export function serverCompresses(size: number): boolean {
  return size >= DEFLATE_THRESHOLD_BYTES && size <= SERVER_COMPRESS_MAX_BYTES;
}
