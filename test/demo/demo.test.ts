import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERAL_TIER_LIMITS } from '../../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { startWorkatoSimulator } from '../../api/src/simulators/workato/server.ts';
import { API_COMMAND } from '../../scripts/lib/api-process.ts';

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
  refusedByBrevo: number;
  consumeCalls: number;
  hints: { sent: number; accepted: number; refetched: number; rejected: Record<string, number> };
  metrics: { received: number; normalized: number; unchanged: number; deadLettered: number };
  reread: {
    recordsSeen: number;
    created: number;
    updated: number;
    unchanged: number;
    stale: number;
    deadLettered: number;
    sentToBrevo: { records: number; requests: number };
    newDeadLetters: number;
    repeatedFailures: number;
  };
  expected: {
    received: number;
    created: number;
    updated: number;
    unchanged: number;
    deadLettered: number;
    hints: number;
    reread: { recordsSeen: number; unchanged: number; stale: number; deadLettered: number };
  };
  operatorPage: string;
}

/**
 * Runs the demo to its end, or stops it (SIGTERM: it stops its API process too) after `timeoutMs`,
 * so a stuck run fails with its progress lines rather than as a bare test timeout.
 */
function runDemo(args: string[], vendorEnv: Record<string, string> = {}, timeoutMs = 200_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The demo starts its own embedded database: no DATABASE_URL from the test run.
    const env = { ...process.env, ...vendorEnv };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[test] the demo ran past ${timeoutMs / 1000} s: stopped\n`;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// The demo never uses the test run's database (it starts its own embedded one), so the run on real
// PostgreSQL would only repeat it.
describe.skipIf(Boolean(process.env.DATABASE_URL))('npm run demo', () => {
  it('runs to its summary with no credentials, and the numbers match the data set and /metrics', async () => {
    const { code, stdout, stderr } = await runDemo(['--records', '400', '--hints', '30', '--exit', '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as Summary;
    const { expected } = summary;
    // 400 customers, 3% unmappable, 5% changed and 5% re-sent during incremental sync, 30 hinted members; the
    // topic read again: the changed customers' older versions stale, the rest unchanged or unmappable.
    expect(expected).toEqual({
      received: 400 + 16 + 15 + 30,
      created: 400 - 12 + 30,
      updated: 16,
      unchanged: 15,
      deadLettered: 12,
      hints: 30,
      reread: { recordsSeen: 400 + 16 + 15, unchanged: 400 + 16 + 15 - 16 - 12, stale: 16, deadLettered: 12 },
    });
    expect(summary).toMatchObject({
      received: expected.received,
      created: expected.created,
      updated: expected.updated,
      normalized: expected.created + expected.updated,
      unchanged: expected.unchanged,
      deadLettered: expected.deadLettered,
      activatedInBrevo: expected.created,
      refusedByBrevo: 0,
    });
    expect(summary.deadLetteredByReason).toEqual({ "mapping: the contact cannot be normalized: email: not an email address: no '@'": expected.deadLettered });
    expect(summary.hints).toEqual({ sent: 32, accepted: 30, refetched: 30, rejected: { signature: 2, stale: 0, malformed: 0, duplicate: 0 } });
    // At most one consume call more than the 50-per-batch floor for each job.
    expect(summary.consumeCalls).toBeGreaterThanOrEqual(Math.ceil(320 / 50));
    expect(summary.metrics).toEqual({ received: summary.received, normalized: summary.normalized, unchanged: summary.unchanged, deadLettered: summary.deadLettered });
    // Backfilled again after incremental sync, the topic rolls nothing back and sends Brevo nothing; its
    // unmappable records count again on their open letters instead of writing new ones.
    expect(summary.reread).toEqual({
      ...expected.reread,
      created: 0,
      updated: 0,
      sentToBrevo: { records: 0, requests: 0 },
      newDeadLetters: 0,
      repeatedFailures: expected.reread.deadLettered,
    });
    expect(summary.operatorPage).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/operator$/);
    expect(stderr).toContain('Backfill again');
    expect(stderr).toContain('100%');
  }, 240_000);

  it('with vendor credentials in the environment, runs the same steps against the vendors they name', async () => {
    // Stand-ins for the user's Brevo account and Workato workspace, reached only through the
    // environment the README documents: what the user set up by hand (a topic, a lookup table) exists.
    const brevo = await startBrevoSimulator({ apiKeys: ['xkeysib-users-own-key'], limits: GENERAL_TIER_LIMITS });
    const workato = await startWorkatoSimulator({ tokens: ['users-workato-token'], topics: ['4242'] });
    workato.setLookupTable('77', []);
    try {
      const { code, stdout, stderr } = await runDemo(['--records', '200', '--hints', '20', '--exit', '--json'], {
        BREVO_API_KEY: 'xkeysib-users-own-key',
        BREVO_BASE_URL: brevo.baseUrl,
        WORKATO_API_TOKEN: 'users-workato-token',
        WORKATO_DATA_CENTER: 'eu',
        WORKATO_TOPIC_ID: '4242',
        WORKATO_LOOKUP_TABLE_ID: '77',
        WORKATO_BASE_URL: workato.url,
      });
      expect(code, stderr).toBe(0);
      const summary = JSON.parse(stdout) as Summary;
      const { expected } = summary;
      expect(expected).toMatchObject({ received: 200 + 8 + 8 + 20, created: 200 - 6 + 20, updated: 8, unchanged: 8, deadLettered: 6, hints: 20 });
      expect(summary).toMatchObject({ received: expected.received, created: expected.created, updated: expected.updated, unchanged: expected.unchanged, deadLettered: expected.deadLettered });
      expect(summary.reread).toMatchObject({ recordsSeen: 200 + 8 + 8, updated: 0, sentToBrevo: { records: 0, requests: 0 }, newDeadLetters: 0 });
      // What the vendors hold is what the summary says: every contact in the user's Brevo account,
      // the data set in the user's topic, the members in the user's table.
      expect(summary.activatedInBrevo).toBe(expected.created);
      expect(brevo.state.contacts.size).toBe(expected.created);
      expect(workato.messages('4242')).toHaveLength(200 + 8 + 8);
      expect(workato.count((request) => request.path === '/api/lookup_tables/77/rows' && request.method === 'POST')).toBe(20);
      expect(summary.hints).toMatchObject({ accepted: 20, refetched: 20 });
      expect(stderr).toContain('Brevo: the account of BREVO_API_KEY');
      expect(stderr).toContain('Workato (eu): topic 4242, lookup table 77');
    } finally {
      await workato.close();
      await brevo.close();
    }
  }, 240_000);

  it('refuses a Workato token without the topic to sync, saying what to set', async () => {
    const { code, stderr } = await runDemo(['--exit'], { WORKATO_API_TOKEN: 'users-workato-token' });
    expect(code).toBe(1);
    expect(stderr).toContain('set WORKATO_TOPIC_ID too');
  }, 60_000);
});

describe('the API process', () => {
  it('is started for the demo and the benches with `npm start`\'s command', async () => {
    const { scripts } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toBe(`node ${API_COMMAND.join(' ')}`);
  });
});
