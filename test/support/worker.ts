import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Separate worker processes (`npm run worker`) on a test's database, to be killed and restarted. */
export class WorkerProcesses {
  readonly #children: ChildProcess[] = [];

  constructor(
    private readonly databaseUrl: string,
    private readonly encryptionKey: Buffer,
  ) {}

  start(): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/worker.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: this.databaseUrl, TAJO_ENCRYPTION_KEY: this.encryptionKey.toString('hex'), LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4' },
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

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
