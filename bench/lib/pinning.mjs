// Optional CPU pinning (`--pin`): servers on CPU 0, the load generator on CPU 1, so the two
// never compete for a core and the scheduler does not move them around. Needs Linux `taskset`
// and at least two CPUs; without them every process runs unpinned.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const CPU_OF_ROLE = { server: '0', load: '1' };
let enabled = false;

export function enablePinning() {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
  } catch {
    console.warn('warning: --pin needs taskset; running unpinned');
    return false;
  }
  if (os.availableParallelism() < 2) {
    console.warn('warning: --pin needs two CPUs; running unpinned');
    return false;
  }
  enabled = true;
  return true;
}

export function pinningEnabled() {
  return enabled;
}

/** The command and arguments that run `command args` on the CPU of `role` (taskset execs, so the pid is the same). */
export function pinned(role, command, args) {
  return enabled ? ['taskset', ['-c', CPU_OF_ROLE[role], command, ...args]] : [command, args];
}
