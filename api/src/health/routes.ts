import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.ts';
import { success } from '../http/schemas.ts';

export interface ReadinessCheck {
  name: string;
  /** Resolves with a problem description, or null when healthy. */
  check(): Promise<string | null>;
}

const ZReadiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().nullable() })),
  })
  .meta({ id: 'Readiness' });

export const healthRoutes: FastifyPluginAsyncZod<{ db: Db; checks: ReadinessCheck[] }> = async (app, { db, checks }) => {
  app.get('/health', {
    schema: {
      operationId: 'health',
      'x-workato-skip': 'A liveness probe for operators and orchestrators, not a recipe step.',
      summary: 'Liveness',
      tags: ['Operations'],
      security: [],
      response: { 200: success(z.object({ status: z.literal('ok') }), 'The process is alive.') },
    },
    handler: async () => ({ status: 'ok' as const }),
  });

  const database: ReadinessCheck = {
    name: 'database',
    async check() {
      try {
        await db.$queryRaw`SELECT 1`;
        return null;
      } catch (error) {
        return `database unreachable: ${(error as Error).message}`;
      }
    },
  };

  app.get('/ready', {
    schema: {
      operationId: 'ready',
      'x-workato-skip': 'A readiness probe for operators and orchestrators, not a recipe step.',
      summary: 'Readiness',
      description: 'Ready when the database answers, its migrations are current and the job engine runs: the in-process workers, or (with ACTIVATION_WORKERS=off) a live worker process.',
      tags: ['Operations'],
      security: [],
      response: { 200: success(ZReadiness, 'Ready to serve.'), 503: success(ZReadiness, 'Not ready; the failing checks say why.') },
    },
    handler: async (_request, reply) => {
      const results = await Promise.all(
        [database, ...checks].map(async ({ name, check }) => [name, await check()] as const),
      );
      const ready = results.every(([, detail]) => detail === null);
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks: Object.fromEntries(results.map(([name, detail]) => [name, { ok: detail === null, detail }])),
      });
    },
  });
};
