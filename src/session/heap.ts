/**
 * Keeps glibc's malloc from giving its heap back to the kernel after every garbage collection of a bulk
 * transfer, only to fault the same pages in again a moment later.
 *
 * Each 64 KiB message leaves a few 64 KiB buffers behind (the stdin read, the masked frame, the socket
 * reads); V8 frees them in batches of some 15 MiB at each collection. glibc hands the top of its heap
 * back whenever more than its trim threshold is free there: 128 KiB at start, raised to twice the
 * size of the largest block it had mapped on its own and later freed. A process that has freed no such
 * block trims and regrows its heap at every collection: `--raw` with 256 MiB then took 40–60 k page
 * faults and 1 200 brk calls instead of 14 k and 200, and up to 1.5× the time. Whether Node itself
 * freed a large block first (an optimizing compile's zone does, sometimes) decided which run was which.
 *
 * Node offers no mallopt(); freeing a large block is the lever glibc gives. Once a client session has
 * carried 1 MiB, a 16 MiB buffer is allocated and dropped: never written to, it costs address space
 * only, and the next collection frees it: the trim threshold becomes 32 MiB and blocks under 16 MiB
 * come from the heap. The price is up to 32 MiB of freed heap kept until exit, which is why only
 * `connect` and `replay` do it: not the servers nor the proxy (many connections, memory per connection
 * measured).
 * glibc ignores blocks over 32 MiB for this; other allocators just free the buffer.
 */

/** glibc's ceiling for the dynamic threshold is 32 MiB; the block must stay under it to count. */
const BLOCK_BYTES = 16 * 1024 * 1024;

/**
 * A session that has carried this much is a bulk transfer. Below it the heap never grows enough to
 * matter, and a short session (`-x hi`) does not pay even the one allocation.
 */
export const BULK_BYTES = 1024 * 1024;

/** Counts a session's message bytes and keeps the heap once they reach BULK_BYTES, once. */
export class HeapKeeper {
  private untilBulk = BULK_BYTES;

  constructor(private readonly allocate: (bytes: number) => void = (bytes) => Buffer.allocUnsafeSlow(bytes)) {}

  /** Each message, either way: its size in bytes. */
  carried(bytes: number): void {
    if (this.untilBulk <= 0) return;
    this.untilBulk -= bytes;
    if (this.untilBulk <= 0) this.allocate(BLOCK_BYTES);
  }
}

/** The process's one keeper: every attempt of a `connect` or `replay` session (reconnects too) counts toward it. */
export const clientHeap = new HeapKeeper();
