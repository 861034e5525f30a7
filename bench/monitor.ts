import { readCpuMs, readMemory } from './procfs';
import { nowMs, round } from './stats';

interface Tracked {
  name: string;
  pid: number;
  /** Largest VmRSS sampled. */
  peakRss: number;
  /** Last VmHWM read (the kernel's own peak). */
  hwm: number;
  /** VmRSS at the first sample (right after start-up, before any load). */
  firstRss: number;
  samples: number;
}

export interface MemoryPeak {
  name: string;
  pid: number;
  /** max(VmHWM, sampled VmRSS), MB (10^6 bytes). */
  peakMB: number;
  /** RSS when tracking began (the process had just become ready), MB. */
  startMB: number;
  samples: number;
}

/** CPU used by each tracked process during a phase, as a percentage of one core. */
export type CpuShare = Record<string, number>;

/**
 * Samples the memory of the processes under test every `intervalMs` (VmRSS and VmHWM from
 * /proc), and measures the CPU each of them (and this process) used during a phase.
 */
export class ProcessMonitor {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 200) {}

  start(): void {
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Starts tracking a process under a unique name (e.g. "worker (c)"). */
  track(name: string, pid: number): void {
    this.tracked.set(name, { name, pid, peakRss: 0, hwm: 0, firstRss: 0, samples: 0 });
    this.sampleOne(this.tracked.get(name) as Tracked);
  }

  /** Samples one last time (call before the process exits: VmHWM is gone with it). */
  finalize(name: string): void {
    const entry = this.tracked.get(name);
    if (entry !== undefined) this.sampleOne(entry);
  }

  peaks(): MemoryPeak[] {
    return [...this.tracked.values()].map((t) => ({
      name: t.name,
      pid: t.pid,
      peakMB: round(Math.max(t.peakRss, t.hwm) / 1e6, 1),
      startMB: round(t.firstRss / 1e6, 1),
      samples: t.samples,
    }));
  }

  /** Marks the start of a phase; the returned function gives each process's CPU share since. */
  cpuPhase(): () => CpuShare {
    const startWall = nowMs();
    const startSelf = process.cpuUsage();
    const start = new Map<string, number>();
    for (const t of this.tracked.values()) {
      const cpu = readCpuMs(t.pid);
      if (cpu !== undefined) start.set(t.name, cpu);
    }
    return () => {
      const wall = nowMs() - startWall;
      const share: CpuShare = {};
      const self = process.cpuUsage(startSelf);
      share.bench = round((100 * (self.user + self.system)) / 1000 / wall, 0);
      for (const t of this.tracked.values()) {
        const before = start.get(t.name);
        const after = readCpuMs(t.pid);
        if (before === undefined || after === undefined) continue;
        share[t.name] = round((100 * (after - before)) / wall, 0);
      }
      return share;
    };
  }

  private sample(): void {
    for (const t of this.tracked.values()) this.sampleOne(t);
  }

  private sampleOne(t: Tracked): void {
    const memory = readMemory(t.pid);
    if (memory === undefined) return;
    if (t.samples === 0) t.firstRss = memory.rss;
    t.peakRss = Math.max(t.peakRss, memory.rss);
    t.hwm = Math.max(t.hwm, memory.hwm);
    t.samples++;
  }
}
