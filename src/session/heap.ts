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
 * Node offers no mallopt(); freeing a large block is the lever glibc gives. A 16 MiB buffer never
 * written to costs address space only, and the first collection frees it: the trim threshold becomes
 * 32 MiB and blocks under 16 MiB come from the heap. The price is up to 32 MiB of freed heap kept
 * until exit, which is why the servers (many connections, memory per connection measured) do not do it.
 * glibc ignores blocks over 32 MiB for this; other allocators just free the buffer.
 */

/** glibc's ceiling for the dynamic threshold is 32 MiB; the block must stay under it to count. */
const BLOCK_BYTES = 16 * 1024 * 1024;

let raised = false;

/** Once per process, before a client session moves data. */
export function keepHeapForBulkTransfer(): void {
  if (raised) return;
  raised = true;
  Buffer.allocUnsafeSlow(BLOCK_BYTES);
}
