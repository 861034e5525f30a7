import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  redis: string;
  loadAverage: number[];
}

function redisVersion(): string {
  try {
    const text = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    return /v=(\S+)/.exec(text)?.[1] ?? text.trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    redis: redisVersion(),
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

export function describeMachine(info: MachineInfo): string {
  return (
    `machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Linux ${info.kernel}; ` +
    `node ${info.node}; redis ${info.redis}; load average ${info.loadAverage.join(' ')}`
  );
}
