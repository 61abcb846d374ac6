import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success } from '../http/schemas.ts';
import { ALERT_NAMES } from './service.ts';

const ZAlert = z
  .object({
    name: z.enum(ALERT_NAMES),
    severity: z.enum(['warning', 'critical']),
    firing: z.boolean(),
    since: z.string().nullable().meta({ description: 'When the oldest occurrence the firing condition counts happened; null when it does not fire.' }),
    value: z.number(),
    threshold: z.number().meta({ description: 'The value at which the condition fires (configured by the ALERT_* variables).' }),
    detail: z.string(),
  })
  .meta({ id: 'Alert' });

export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  const { alerts } = app.services;

  app.get('/alerts', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listAlerts',
      'x-workato-skip': 'Alert conditions are for operators and their monitoring, not a recipe step.',
      summary: 'List alert conditions',
      description:
        "Every alert condition of the workspace, evaluated now from its data: repeated token-refresh failures, webhook signature failures, stalled sync cursors, a sustained Brevo rejection rate and dead-letter growth. A condition fires while its value is at or above its threshold and clears by itself when it falls below.",
      tags: ['Operations'],
      response: { 200: success(z.object({ data: z.array(ZAlert) }), 'Every condition, firing or not.'), ...errorResponses() },
    },
    handler: async (request) => ({ data: await alerts.evaluate(request.auth.workspaceId) }),
  });
};
