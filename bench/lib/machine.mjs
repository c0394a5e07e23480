// The machine a run was measured on.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export function machineInfo() {
  const cpus = os.cpus();
  let model = cpus[0]?.model?.trim() ?? 'unknown';
  try {
    // Some virtual machines report a bare family name; /proc/cpuinfo may have more.
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line && line.split(':')[1].trim().length > model.length) model = line.split(':')[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpu: model,
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Resident memory of a process in MB: `VmRSS` now or `VmHWM` (its peak so far). Null when gone. */
export function processMemoryMB(pid, field = 'VmRSS') {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's VmRSS while a scenario runs and keeps the maximum. */
export function startRssSampler(pid, intervalMs = 50) {
  let peak = processMemoryMB(pid) ?? 0;
  const timer = setInterval(() => {
    const now = processMemoryMB(pid);
    if (now !== null && now > peak) peak = now;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const now = processMemoryMB(pid);
      if (now !== null && now > peak) peak = now;
      return peak;
    },
  };
}

let clockTicks = null;

/** Jiffies per second for /proc CPU counters (getconf CLK_TCK, 100 on every usual Linux). */
function ticksPerSecond() {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds the whole machine spent busy (user, system, irq, steal…) since boot; null off Linux. */
function machineBusySeconds() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used; null when it is gone. */
export function processCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/**
 * Measures how busy the machine was with work other than the bench while a load ran: machine
 * busy time minus the server's, the load generator's (reported by itself) and this process's.
 * On a shared machine this tells a clean run from a disturbed one.
 */
export function startBackgroundMeter(serverPid) {
  const machine0 = machineBusySeconds();
  const server0 = processCpuSeconds(serverPid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop(loadGeneratorCpuSeconds) {
      const machine1 = machineBusySeconds();
      const server1 = processCpuSeconds(serverPid);
      if (machine0 === null || machine1 === null || server0 === null || server1 === null) return null;
      const self = process.cpuUsage(self0);
      const ours = server1 - server0 + loadGeneratorCpuSeconds + (self.user + self.system) / 1e6;
      const seconds = (performance.now() - t0) / 1000;
      return {
        serverCores: (server1 - server0) / seconds,
        loadGeneratorCores: loadGeneratorCpuSeconds / seconds,
        otherCores: Math.max(0, (machine1 - machine0 - ours) / seconds),
      };
    },
  };
}

/** Waits until the machine's busy CPU over 2 s windows is below `cores`, for at most `maxSeconds`. */
export async function waitForQuietMachine(cores, maxSeconds, log = console.log) {
  const deadline = performance.now() + maxSeconds * 1000;
  for (;;) {
    const before = machineBusySeconds();
    if (before === null) return null;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const busy = (machineBusySeconds() - before) / 2;
    if (busy < cores) return busy;
    if (performance.now() > deadline) {
      log(`machine still busy (${busy.toFixed(2)} cores) after ${maxSeconds} s; measuring anyway`);
      return busy;
    }
    log(`waiting for a quiet machine: ${busy.toFixed(2)} cores busy`);
  }
}

/**
 * Waits until a server has finished the requests a load burst left in flight: the load
 * generator stops sending at its deadline, but the server still works through what it had
 * received (a batch of 50 trace writes takes a while), and that work must not count against the
 * next scenario. Idle means under `cores` of CPU over two consecutive windows. Returns the
 * seconds waited.
 */
export async function waitForIdleProcess(pid, { cores = 0.03, windowMs = 150, maxSeconds = 120 } = {}) {
  const started = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < maxSeconds * 1000) {
    const before = processCpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = processCpuSeconds(pid);
    if (before === null || after === null) break;
    quiet = (after - before) / (windowMs / 1000) < cores ? quiet + 1 : 0;
  }
  return (performance.now() - started) / 1000;
}
