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
    app.post('/protocol', {
      config: { problemExtensions: (problem) => (problem.type === 'validation' ? { error: 'invalid_request', error_description: problem.detail } : undefined) },
      handler: async (request) => {
        if (request.headers['x-fail'] === 'own') throw new AppError('validation', 'Own.', { extensions: { error: 'invalid_scope' } });
        if (request.headers['x-fail'] === 'internal') throw new Error('boom');
        return { ok: true };
      },
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

  it("takes a route's default members for problems that bring none (body parsing), never over an error's own", async () => {
    const unparsable = await app.inject({ method: 'POST', url: '/protocol', headers: { 'content-type': 'application/json' }, payload: '{' });
    expect(unparsable.json()).toMatchObject({ type: 'validation', status: 400, error: 'invalid_request', error_description: 'The body is not valid JSON.' });
    const own = await app.inject({ method: 'POST', url: '/protocol', headers: { 'x-fail': 'own' } });
    expect(own.json()).toMatchObject({ detail: 'Own.', error: 'invalid_scope' });
    expect(own.json()).not.toHaveProperty('error_description');
    const internal = await app.inject({ method: 'POST', url: '/protocol', headers: { 'x-fail': 'internal' } });
    expect(internal.statusCode).toBe(500);
    expect(internal.json()).not.toHaveProperty('error');
  });
});
