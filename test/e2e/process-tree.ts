// Linux process-tree helpers for the npm-start test: every descendant of a pid, and whether any is still running.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  command: string;
}

function readProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid …`; comm may contain spaces and parentheses, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const [state, ppid] = stat.slice(close + 2).split(' ');
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      out.push({ pid: Number(entry), ppid: Number(ppid), state: state ?? '?', command });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Every live process below `root` (children, grandchildren, …). */
export function descendants(root: number): ProcInfo[] {
  const procs = readProcs();
  const found: ProcInfo[] = [];
  const frontier = [root];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const p of procs) {
      if (p.ppid === parent) {
        found.push(p);
        frontier.push(p.pid);
      }
    }
  }
  return found;
}

/**
 * Those of `procs` still running: same pid and command line (a reused pid is another process); zombies, already
 * dead and only waiting to be reaped, do not count.
 */
export function stillRunning(procs: ProcInfo[]): ProcInfo[] {
  const alive = new Map(readProcs().map((p) => [p.pid, p]));
  return procs
    .map((p) => alive.get(p.pid))
    .filter((p, i): p is ProcInfo => p !== undefined && p.state !== 'Z' && p.command === procs[i]!.command);
}
