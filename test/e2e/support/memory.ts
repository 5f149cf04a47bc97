/**
 * A process's peak resident set size, as Linux keeps it (`VmHWM` in /proc/PID/status): sampled while
 * the process runs, since the figure goes with the process.
 */
import { readFileSync } from 'node:fs';

/** `VmHWM` of `pid` in MiB, or undefined once the process is gone (or a zombie without Vm* lines). */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Samples the peak RSS of `pid` every `everyMs` until `stop()`, which returns the highest seen (MiB).
 * VmHWM only grows, so the last sample before the process exits is its peak up to then: tests keep the
 * process alive past the moment they measure (a peer that does not answer its close, say).
 */
export function watchPeakRss(pid: number, everyMs = 20): { stop(): number } {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, peakRssMiB(pid) ?? 0);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return peak;
    },
  };
}
