import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Separate activation worker processes (`npm run worker`) on a database, to be killed and started again. */
export function workerProcesses(databaseUrl: string, encryptionKey: Buffer) {
  const children: ChildProcess[] = [];
  return {
    start(): ChildProcess {
      const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/worker.ts'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: databaseUrl, TAJO_ENCRYPTION_KEY: encryptionKey.toString('hex'), LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code, signal) => {
        if (code && code !== 0 && signal === null) process.stderr.write(`worker exited with ${code}: ${stderr}\n`);
      });
      children.push(child);
      return child;
    },
    /** SIGKILL: no shutdown hook runs, whatever is in flight stays in flight. */
    async kill(child: ChildProcess) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
    killAll() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
