import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The main job (`npm run demo`) from start to summary, as a user runs it: API on embedded
// PostgreSQL in its own process, both simulators, no credentials. Its numbers must be the data
// set's, and the API's own /metrics must count what the summary printed.
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Summary {
  received: number;
  normalized: number;
  created: number;
  updated: number;
  unchanged: number;
  deadLettered: number;
  deadLetteredByReason: Record<string, number>;
  activatedInBrevo: number;
  consumeCalls: number;
  hints: { sent: number; accepted: number; refetched: number; rejected: Record<string, number> };
  metrics: { received: number; normalized: number; unchanged: number; deadLettered: number };
  expected: { received: number; created: number; updated: number; unchanged: number; deadLettered: number; hints: number };
  operatorPage: string;
}

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The demo starts its own embedded database: no DATABASE_URL from the test run.
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it('runs to its summary with no credentials, and the numbers match the data set and /metrics', async () => {
    const { code, stdout, stderr } = await runDemo(['--records', '400', '--hints', '30', '--exit', '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as Summary;
    const { expected } = summary;
    // 400 customers, 3% unmappable, 5% changed and 5% re-sent during incremental sync, 30 hinted members.
    expect(expected).toEqual({ received: 400 + 16 + 15 + 30, created: 400 - 12 + 30, updated: 16, unchanged: 15, deadLettered: 12, hints: 30 });
    expect(summary).toMatchObject({
      received: expected.received,
      created: expected.created,
      updated: expected.updated,
      normalized: expected.created + expected.updated,
      unchanged: expected.unchanged,
      deadLettered: expected.deadLettered,
      activatedInBrevo: expected.created,
    });
    expect(summary.deadLetteredByReason).toEqual({ "mapping: the contact cannot be normalized: email: not an email address: no '@'": expected.deadLettered });
    expect(summary.hints).toEqual({ sent: 32, accepted: 30, refetched: 30, rejected: { signature: 2, stale: 0, malformed: 0, duplicate: 0 } });
    // At most one consume call more than the 50-per-batch floor for each job.
    expect(summary.consumeCalls).toBeGreaterThanOrEqual(Math.ceil(320 / 50));
    expect(summary.metrics).toEqual({ received: summary.received, normalized: summary.normalized, unchanged: summary.unchanged, deadLettered: summary.deadLettered });
    expect(summary.operatorPage).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/operator$/);
    expect(stderr).toContain('Backfill');
    expect(stderr).toContain('100%');
  }, 240_000);
});
