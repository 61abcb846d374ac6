import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm start`'s command (package.json keeps the same words). Single-threaded GC: on the small
 * machines the API shares with PostgreSQL, V8's parallel GC helpers wait for a core the database
 * holds, stalling every request in flight; measured on 2 cores, single-upsert p99 fell by about
 * 3 ms (7 of 8 paired runs) and single-upsert throughput rose.
 */
export const API_COMMAND = ['--single-threaded-gc', '--import', 'tsx', 'api/src/main.ts'];

export interface RunningApi {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

/**
 * Starts the API exactly as `npm start` does (for the benches and the demo), in its own process with a fresh DATA_DIR and
 * LOG_LEVEL=warn (per-request logs are not what is measured), and reads its URL and first-run key
 * from stdout. `env` adds to the environment; an undefined value removes the variable.
 */
export async function startApi(env: Record<string, string | undefined>): Promise<RunningApi> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tajo-'));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child: ChildProcess = spawn(process.execPath, API_COMMAND, { cwd: new URL('../..', import.meta.url), env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const { url, apiKey } = await new Promise<{ url: string; apiKey: string }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const apiKey = /^\s+(tajo_\S+)$/m.exec(output)?.[1];
      if (url && apiKey) resolve({ url, apiKey });
    });
    child.once('exit', (code) => reject(new Error(`the API exited (${code}) before it was ready:\n${output}`)));
  });
  return {
    url,
    apiKey,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
