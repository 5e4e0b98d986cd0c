import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, register } from 'prom-client';
import type { Registry } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, openMetricsText, wantsOpenMetrics } from './metrics-openmetrics';

export interface OpsServer {
  port: number;
  registry: Registry;
  close(): Promise<void>;
}

/**
 * Liveness, readiness, Prometheus metrics and a small /info on one HTTP port per process.
 * `ready()` is asked on every probe so it reflects the worker's real state.
 */
export async function startOpsServer(opts: {
  port: number;
  host?: string;
  ready: () => boolean;
  /** /healthz: false means "restart me" (a hung component); always live when not given. */
  live?: () => boolean;
  registry?: Registry;
  /** What this process is and where its other endpoints are (e.g. the A2A URL), served at /info. */
  info?: () => unknown;
}): Promise<OpsServer> {
  // The global registry, so any module's counters appear here without wiring; default process
  // metrics are added once per registry.
  const registry = opts.registry ?? register;
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) {
    collectDefaultMetrics({ register: registry });
    // Gauges named `_total` break exposition conventions (promtool flags them); the same counts are
    // exported by type as nodejs_active_handles / _requests / _resources, so nothing is lost.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const ok = opts.live?.() ?? true;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not live\n');
    } else if (path === '/readyz') {
      const ok = opts.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
    } else if (path === '/info' && opts.info) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(opts.info()));
    } else if (path === '/metrics') {
      // Prometheus text by default; OpenMetrics (with trace_id exemplars) when the scraper asks for it.
      const om = wantsOpenMetrics(req.headers.accept);
      (om ? openMetricsText(registry) : registry.metrics()).then(
        (body) => res.writeHead(200, { 'content-type': om ? OPENMETRICS_CONTENT_TYPE : registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    registry,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
