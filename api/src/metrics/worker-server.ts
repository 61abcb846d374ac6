import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { problemTitle } from '../errors/problem.ts';
import type { Metrics } from './registry.ts';

/**
 * A worker process's own scrape target: its counters (records activated, vendor requests) live in
 * its memory, not in the API's. The database gauges stay the API's, so a scrape of both does not
 * count them twice.
 */
export async function serveWorkerMetrics(metrics: Metrics, host: string, port: number): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/health')) {
      const problem = { type: 'not_found', title: problemTitle('not_found'), status: 404, detail: 'A worker serves GET /metrics and GET /health only.', instance: path };
      response.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
      return;
    }
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`, server };
}
