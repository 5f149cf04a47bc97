/**
 * The payloads of the benchmark, generated the same way by the harness (to check what came back)
 * and by the helper servers (to send it).
 */
import { createHash } from 'node:crypto';

/** Line i of the lines workload: short text, ~40 bytes. */
export function shortLine(i) {
  return `line ${String(i).padStart(6, '0')} lorem ipsum dolor sit amet`;
}

/** Message i of the pretty workload (what the blast server sends). */
export function blastMessage(i) {
  return `msg ${String(i).padStart(6, '0')} {"seq":${i},"text":"the quick brown fox jumps over the lazy dog"}`;
}

/** Message i of the pretty-json workload: a JSON object, which pretty mode lays out and colours. */
export function blastJson(i) {
  return `{"seq":${i},"text":"the quick brown fox jumps over the lazy dog","ok":true,"n":null}`;
}

/** n lines, each followed by "\n", as one Buffer. */
export function joinLines(n, make) {
  const parts = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = `${make(i)}\n`;
  return Buffer.from(parts.join(''));
}

export function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** 1 MiB of pseudo-random bytes (deterministic: the same for every run). */
export function binaryBlock() {
  const block = Buffer.alloc(1024 * 1024);
  let x = 0x9e3779b9;
  for (let i = 0; i < block.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    block.writeUInt32LE(x >>> 0, i);
  }
  return block;
}
