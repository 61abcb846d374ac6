import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.ts';
import { readDatabaseGauges } from './database.ts';

export const metricsRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  const { metrics, alerts } = app.services;

  app.get('/metrics', {
    schema: {
      operationId: 'metrics',
      'x-workato-skip': 'Prometheus scrapes it; it is not a recipe step.',
      summary: 'Prometheus metrics',
      description:
        "This process's counters (HTTP requests, records by stage, vendor requests, token-refresh failures) and gauges read from the database at each scrape (job queues, sync cursors, dead letters, webhook hint rejections, Workato rate limits, alerts), in Prometheus's text format.",
      tags: ['Operations'],
      security: [],
      response: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: z.string() } } } },
    },
    handler: async (_request, reply) => {
      await readDatabaseGauges(db, metrics, alerts);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  });
};
