// CPU time of whole processes (user + system) read from /proc, so a run can count what every server process spent.
import { readFileSync } from 'node:fs';

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every Linux build Node supports here. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far (its own threads, not its children). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) is in parentheses and may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After comm, fields start at 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Starts a CPU meter over `pids`; `stop()` returns the CPU seconds they spent together since the start. */
export function cpuMeter(pids: readonly number[]): { stop(): number } {
  const start = pids.map(processCpuSeconds);
  return {
    stop: () => pids.reduce((sum, pid, i) => sum + processCpuSeconds(pid) - start[i]!, 0),
  };
}
