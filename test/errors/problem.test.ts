import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../api/src/errors/handler.ts';
import { AppError } from '../../api/src/errors/problem.ts';

describe('problem+json', () => {
  const app = Fastify({ logger: false, genReqId: () => 'req_1' });
  beforeAll(async () => {
    registerErrorHandling(app);
    app.get('/plain', async () => {
      throw new AppError('validation', 'Bad input.');
    });
    app.get('/extended', async () => {
      throw new AppError('authentication', 'Unknown client.', {
        headers: { 'www-authenticate': 'Basic realm="tajo"' },
        extensions: { error: 'invalid_client', error_description: 'Unknown client.' },
      });
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('carries extension members after the standard ones, and nothing extra without them', async () => {
    const extended = await app.inject({ method: 'GET', url: '/extended' });
    expect(extended.statusCode).toBe(401);
    expect(extended.headers['content-type']).toContain('application/problem+json');
    expect(extended.headers['www-authenticate']).toBe('Basic realm="tajo"');
    expect(Object.entries(extended.json())).toEqual([
      ['type', 'authentication'],
      ['title', 'Authentication failed'],
      ['status', 401],
      ['detail', 'Unknown client.'],
      ['instance', '/extended'],
      ['requestId', 'req_1'],
      ['error', 'invalid_client'],
      ['error_description', 'Unknown client.'],
    ]);
    const plain = await app.inject({ method: 'GET', url: '/plain' });
    expect(plain.json()).toEqual({ type: 'validation', title: 'Invalid request', status: 400, detail: 'Bad input.', instance: '/plain', requestId: 'req_1' });
  });
});
