import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
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

  /** A worker; `env` adds to the workers' environment for this one (e.g. its WORKER_METRICS_PORT). */
  start(env: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/worker.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: this.databaseUrl, TAJO_ENCRYPTION_KEY: this.encryptionKey.toString('hex'), LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4', WORKER_METRICS_PORT: '0', ...this.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
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

/** A loopback port free right now, for a child process that must listen on a port the test knows. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
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
