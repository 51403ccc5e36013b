// Facts about the machine a run happened on, printed with every report so figures are never read out of context.
import { availableParallelism, cpus, release, totalmem, type as osType } from 'node:os';
import { mib } from './stats.ts';

export interface MachineFacts {
  date: string;
  cores: number;
  cpuModel: string;
  memoryMiB: number;
  os: string;
  node: string;
}

export function machineFacts(): MachineFacts {
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryMiB: Math.round(mib(totalmem())),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
}
