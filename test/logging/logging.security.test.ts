import { Writable } from 'node:stream';
import { pino } from 'pino';
import { testSecrets } from '../support/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildApp, type App } from '../../api/src/app.ts';
import { createDb, type Db } from '../../api/src/db/client.ts';
import { loggerOptions } from '../../api/src/logging.ts';
import { loadConfig } from '../../api/src/config/config.ts';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';

describe('logs', () => {
  const lines: string[] = [];
  let app: App;
  let db: Db;
  let ws: TestWorkspace;

  beforeAll(async () => {
    db = createDb(inject('databaseUrl'), 2);
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    app = await buildApp({
      config: loadConfig({}),
      db,
      logger: { ...loggerOptions('info'), stream },
      secrets: testSecrets(),
    });
    ws = await createWorkspace(app);
  });
  afterAll(async () => {
    await app.close();
    await db.$disconnect();
  });

  it('carry request ID, workspace and category, and never keys, emails from query strings or stack traces', async () => {
    await app.inject({ method: 'GET', url: '/v1/contacts/lookup?email=secret.person@example.com', headers: withKey(ws.readKey) });
    await app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { email: 'broken' } });
    await app.inject({ method: 'GET', url: '/v1/workspace', headers: { authorization: `Bearer ${ws.adminKey}` } });
    const keyId = (await app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(ws.writeKey) })).json().apiKey.id as string;
    const issued = await app.inject({ method: 'POST', url: '/v1/oauth/token', payload: { grant_type: 'client_credentials', client_id: keyId, client_secret: ws.writeKey } });
    expect(issued.statusCode).toBe(200);
    const accessToken = issued.json().access_token as string;
    await app.inject({ method: 'GET', url: '/v1/contacts', headers: { authorization: `Bearer ${accessToken}` } });
    await app.inject({ method: 'POST', url: '/v1/oauth/token', payload: { grant_type: 'client_credentials', client_id: 'nope', client_secret: ws.writeKey } });
    await app.inject({ method: 'POST', url: '/v1/oauth/token', payload: { grant_type: 'client_credentials', client_id: keyId, client_secret: ws.readKey } });
    const log = lines.join('');
    expect(log).not.toContain('secret.person');
    for (const key of [ws.readKey, ws.writeKey, ws.adminKey, accessToken]) expect(log).not.toContain(key);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.some((line) => line.category === 'not_found' && line.workspaceId === ws.id && typeof line.requestId === 'string')).toBe(true);
    expect(parsed.some((line) => line.category === 'validation')).toBe(true);
  });

  it('redact OAuth credentials wherever a logged object carries them', () => {
    const written: string[] = [];
    const logger = pino(loggerOptions('info'), { write: (line: string) => written.push(line) });
    logger.info({ body: { grant_type: 'client_credentials', client_secret: 'tajo_s3cret' }, answer: { access_token: 'tajo_at_s3cret' } }, 'token');
    expect(written.join('')).not.toContain('s3cret');
    expect(JSON.parse(written[0]!)).toMatchObject({ body: { grant_type: 'client_credentials', client_secret: '[redacted]' }, answer: { access_token: '[redacted]' } });
  });

  it('mask emails and phones in every string, and leave IDs, times, addresses and counts alone', () => {
    const written: string[] = [];
    const logger = pino(loggerOptions('info'), { write: (line: string) => written.push(line) });
    const kept = ['req_3f2b9c1e-0d4a-4b8e-9f61-123456789012', '12345678-1234-1234-1234-123456789012', '2024-03-10T06:30:00.000Z', '2024-03-10 06:30:00', '127.0.0.1', '1710052200000', 'hint_wh-1234567'];
    logger.child({ sourceId: 'mail:Ada@Example.com' }).warn(
      { reason: 'Invalid email address "kunde4@müller.example" \n', phones: ['(415) 555-2671', '+44 20 7946 0018', '06 12 34 56 78', '14155552671'], kept, count: 14155552671 },
      'Contact already exist: first.last+4@gmail.com',
    );
    const line = JSON.parse(written[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      sourceId: 'mail:A***@Example.com',
      reason: 'Invalid email address "k***@müller.example" \n',
      phones: ['***71', '+***18', '***78', '***71'],
      kept,
      count: 14155552671,
      msg: 'Contact already exist: f***@gmail.com',
    });
  });

  it('describe an internal error without its stack', async () => {
    const broken = await buildApp({
      secrets: testSecrets(),
      config: loadConfig({}),
      db: createDb('postgresql://nobody@127.0.0.1:1/none', 1),
      logger: {
        ...loggerOptions('info'),
        stream: new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      },
    });
    lines.length = 0;
    const response = await broken.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(ws.readKey) });
    expect(response.statusCode).toBe(500);
    const errorLine = lines.map((line) => JSON.parse(line) as { level: number; err?: { message?: string; stack?: string } }).find((line) => line.level >= 50);
    expect(errorLine?.err?.message).toBeTruthy();
    expect(lines.join('')).not.toMatch(/"stack"|\n\s+at /);
    await broken.close();
  });
});
