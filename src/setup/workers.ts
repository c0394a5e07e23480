// `serve --workers N` (PostgreSQL only): the first process becomes a supervisor that forks N
// workers with node's cluster module. The workers share the listening ports (the supervisor
// owns the sockets and hands connections out), each runs a whole server on its own pool, and
// everything they must agree on lives in the database: the data, the rate limits and
// operating time (src/limits/shared*.ts), and the change signal the caches follow. A worker is
// therefore no different from a `serve` process on another machine pointed at the same
// database.
//
// The supervisor restarts a worker that dies, and on SIGTERM (or SIGINT) passes the signal to
// every worker, each of which finishes its in-flight requests (server.ts close()), and exits
// once they all have.
import cluster, { type Worker } from 'node:cluster';

/** What a worker tells the supervisor once it listens. */
export interface WorkerListening {
  readonly type: 'salestrace:listening';
  readonly http: number;
  readonly https: number | null;
  readonly httpUrl: string;
  readonly httpsUrl: string | null;
}

export function isWorkerListening(message: unknown): message is WorkerListening {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'salestrace:listening';
}

/** Whether this process is a worker forked by `serve --workers`. */
export function isServeWorker(): boolean {
  return cluster.isWorker;
}

/** In a worker: tells the supervisor where this worker listens. */
export function reportListening(message: Omit<WorkerListening, 'type'>): void {
  process.send?.({ type: 'salestrace:listening', ...message } satisfies WorkerListening);
}

export interface Supervisor {
  /** Resolves with the first worker's ports; rejects when a worker dies before any listened. */
  readonly listening: Promise<WorkerListening>;
  /** Signals every worker and resolves once all have exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** A worker that dies sooner than this after starting is replaced only after RESTART_DELAY_MS. */
const QUICK_DEATH_MS = 2000;
const RESTART_DELAY_MS = 1000;

/**
 * Forks `count` workers running this same command line, and keeps `count` of them running.
 * `say` prints one line for people (worker starts, deaths and restarts).
 */
export function superviseWorkers(count: number, say: (line: string) => void): Supervisor {
  let stopping = false;
  let anyListened = false;
  const started = new Map<Worker, number>();
  let resolveListening!: (message: WorkerListening) => void;
  let rejectListening!: (error: Error) => void;
  const listening = new Promise<WorkerListening>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  // Unobserved until serve awaits it; a rejection must not count as unhandled meanwhile.
  listening.catch(() => {});

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if (!isWorkerListening(message)) return;
      say(`Worker ${worker.process.pid} listening`);
      if (!anyListened) {
        anyListened = true;
        resolveListening(message);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const startedAt = started.get(worker) ?? 0;
    started.delete(worker);
    if (stopping) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!anyListened) {
      // It never got as far as listening (a port in use, the database unreachable): restarting
      // would fail the same way, so the whole serve stops and says so.
      stopping = true;
      for (const other of started.keys()) other.process.kill('SIGTERM');
      rejectListening(new Error(`worker ${worker.process.pid} exited with ${how} before listening`));
      return;
    }
    const delay = Date.now() - startedAt < QUICK_DEATH_MS ? RESTART_DELAY_MS : 0;
    say(`Worker ${worker.process.pid} exited with ${how}; starting another`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  for (let i = 0; i < count; i++) fork();

  return {
    listening,
    stop(signal) {
      stopping = true;
      const workers = [...started.keys()];
      const exits = workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
          }),
      );
      for (const worker of workers) if (!worker.isDead()) worker.process.kill(signal);
      return Promise.all(exits).then(() => undefined);
    },
  };
}
