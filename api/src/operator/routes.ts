import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponse } from '../http/schemas.ts';

const TAGS = ['Operations'];
const SKIP = 'A page for people in a browser, not a recipe step.';

// Read once at start-up: the page is plain files, with no build step and nothing to watch.
const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');
const PAGE = read('./page.html');
const ASSETS = {
  'operator.js': { type: 'text/javascript; charset=utf-8', body: read('./operator.js') },
  'operator.css': { type: 'text/css; charset=utf-8', body: read('./operator.css') },
} as const;

/**
 * The page may run only its own script and style and talk only to this API: whatever the API
 * returns is data, and a stored reason or ID can never become code on the page.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ZAssetParams = z.object({ file: z.enum(Object.keys(ASSETS) as [keyof typeof ASSETS, ...(keyof typeof ASSETS)[]]) });

/**
 * The operator page: sync jobs, throughput, dead letters and alerts at a glance. Outside the
 * API-key scope because a browser cannot send a header on navigation; the page asks for a key
 * and calls the JSON API with it, so it shows nothing the key could not read anyway.
 */
export const operatorRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-cache');
    done(null, payload);
  });

  app.get('/operator', {
    schema: {
      operationId: 'operatorPage',
      'x-workato-skip': SKIP,
      summary: 'Operator page',
      description:
        'An HTML page showing sources and their sync jobs with live progress, throughput, open dead letters by category (with retry and discard) and active alerts. It asks for an API key and calls this API with it.',
      tags: TAGS,
      security: [],
      response: { 200: { description: 'The page.', content: { 'text/html': { schema: z.string() } } } },
    },
    handler: async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE),
  });

  app.get('/operator/:file', {
    schema: {
      operationId: 'operatorAsset',
      'x-workato-skip': SKIP,
      summary: "The operator page's script and style sheet",
      tags: TAGS,
      security: [],
      params: ZAssetParams,
      response: {
        200: { description: 'The file.', content: { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } } },
        400: problemResponse(400),
      },
    },
    handler: async (request, reply) => {
      const asset = ASSETS[request.params.file];
      return reply.type(asset.type).send(asset.body);
    },
  });
};
