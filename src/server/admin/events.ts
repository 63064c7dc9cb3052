import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../gateway/gateway.ts';

const KEEPALIVE_MS = 15_000;
const CIRCUIT_POLL_MS = 1000;

/**
 * GET /admin/events: server-sent events for live views. `request` carries each ledger record as
 * it is made; `provider` a provider's circuit when it changes (polled: circuits change state by
 * the clock too, half-open after the cooldown, which no call would report).
 */
export function registerEventsRoute(app: FastifyInstance, gateway: Gateway): void {
  // A live view never ends on its own: on drain the streams are closed, or they would hold the process until the drain timeout.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get('/events', async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    open.add(res);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': String(request.id), 'x-accel-buffering': 'no' });
    res.write(': llmux admin events\n\n');
    const send = (event: string, data: unknown): void => {
      if (!res.destroyed && !res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = gateway.ledger?.writer.onRecord((r) => send('request', r));
    const seen = new Map<string, string>();
    const poll = (): void => {
      const now = performance.now();
      for (const p of gateway.state.providers.values()) {
        const state = p.circuit.state(now);
        const reason = p.circuit.reason ?? null;
        const sig = `${state}\u0000${reason ?? ''}`;
        const before = seen.get(p.name);
        seen.set(p.name, sig);
        if (before !== undefined && before !== sig) send('provider', { name: p.name, state, reason, time: new Date().toISOString() });
      }
    };
    poll();
    const circuits = setInterval(poll, CIRCUIT_POLL_MS);
    const keepalive = setInterval(() => {
      if (!res.destroyed && !res.writableEnded) res.write(': keep-alive\n\n');
    }, KEEPALIVE_MS);
    res.once('close', () => {
      open.delete(res);
      clearInterval(circuits);
      clearInterval(keepalive);
      unsubscribe?.();
    });
  });
}
