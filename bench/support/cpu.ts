// CPU accounting for the benchmarks: this process's threads by name, and the whole machine.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU ticks (1/100 s) of this process's threads, by thread name (names cut at 15 characters by Linux). */
export function threadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 (utime, stime); f[0] is field 3.
      const group = name.replace(/-\d+$|-$/, '').replace(/^V8Worker$|^V8 DefaultWorke.*$/, 'V8 helpers (GC, compiler)');
      out.set(group, (out.get(group) ?? 0) + Number(f[11]) + Number(f[12]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Busy and total jiffies of the whole machine. */
export function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - (f[4] ?? 0), total };
}
