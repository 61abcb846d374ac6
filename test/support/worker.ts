import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { SecretBox } from '../../api/src/security/secret-box.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { connectToSimulator, startCheckedSimulator } from './activation.ts';
import { createTestApp, type TestApp, type TestWorkspace } from './app.ts';
import type { BrevoSpecValidator } from './brevo-spec.ts';
import { freshDatabase } from './scratch-database.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Separate worker processes (`npm run worker`) on a test's database, to be killed and restarted. */
export class WorkerProcesses {
  readonly #children: ChildProcess[] = [];

  constructor(
    private readonly databaseUrl: string,
    private readonly encryptionKey: Buffer,
    /** More environment for the workers (e.g. WORKATO_BASE_URL). */
    private readonly env: Record<string, string> = {},
  ) {}

  start(): ChildProcess {
    return this.#spawn({}, 'ignore');
  }

  /**
   * A worker whose own /metrics the test reads: resolves once it serves them, with the URL it
   * logged. Its port is a free one it picked itself (WORKER_METRICS_PORT=0): no port to race for.
   */
  async startServingMetrics(): Promise<{ child: ChildProcess; metricsUrl: string }> {
    const child = this.#spawn({ LOG_LEVEL: 'info' }, 'pipe');
    const metricsUrl = await new Promise<string>((resolve, reject) => {
      let output = '';
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const url = /"metricsUrl":"([^"]+)"/.exec(output)?.[1];
        if (!url) return;
        child.stdout!.off('data', read).resume();
        resolve(url);
      };
      child.stdout!.on('data', read);
      child.once('exit', (code) => reject(new Error(`the worker exited (${code}) before serving /metrics`)));
    });
    return { child, metricsUrl };
  }

  #spawn(env: Record<string, string>, stdout: 'ignore' | 'pipe'): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/worker.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: this.databaseUrl, TAJO_ENCRYPTION_KEY: this.encryptionKey.toString('hex'), LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4', WORKER_METRICS_PORT: '0', ...this.env, ...env },
      stdio: ['ignore', stdout, 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      if (code && code !== 0 && signal === null) process.stderr.write(`worker exited with ${code}: ${stderr}\n`);
    });
    this.#children.push(child);
    return child;
  }

  /** SIGKILL: no shutdown hook runs; its jobs stay active until their heartbeat is overdue. */
  async kill(child: ChildProcess) {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }

  killAll() {
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface WorkerCrashRig {
  t: TestApp;
  brevo: BrevoSimulator;
  validator: BrevoSpecValidator | null;
  workers: WorkerProcesses;
  connect(ws: TestWorkspace): Promise<void>;
  close(): Promise<void>;
}

/**
 * A database of its own, the app on it (no workers inside), worker processes sharing its encryption
 * key, and a spec-checked simulator answering with the given latency, which keeps a run long
 * enough to be killed in the middle of it.
 */
export async function startWorkerCrashRig(databasePrefix: string, latencyMs: [number, number]): Promise<WorkerCrashRig> {
  const encryptionKey = randomBytes(32);
  const database = await freshDatabase(databasePrefix);
  await applyMigrations(database.url);
  const t = await createTestApp(database.url, new SecretBox(encryptionKey));
  const workers = new WorkerProcesses(database.url, encryptionKey);
  const { brevo, validator } = await startCheckedSimulator();
  brevo.setFaults({ latencyMs });
  return {
    t,
    brevo,
    validator,
    workers,
    connect: (ws) => connectToSimulator(t.app, ws, brevo),
    async close() {
      workers.killAll();
      await brevo.close();
      await t.close();
      await database.drop();
    },
  };
}
