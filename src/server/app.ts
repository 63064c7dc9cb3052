import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { errorAnswer, GatewayError, toGatewayError } from '../core/errors.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { redactUrl } from '../observability/logger.ts';
import type { RequestContext } from '../pipeline/context.ts';
import { writeError, writeErrorAnswer } from '../pipeline/respond.ts';
import { codecs } from '../protocols/registry.ts';
import type { ClientProtocol } from '../core/protocol.ts';
import { registerAnthropicRoutes } from './front-doors/anthropic.ts';
import { registerGeminiRoutes } from './front-doors/gemini.ts';
import { registerOpenAIRoutes } from './front-doors/openai.ts';
import { registerResponsesRoutes } from './front-doors/responses.ts';
import { applyCors, registerCorsPreflight } from './cors.ts';
import { presentedCredential, type ClientKey } from '../auth/keys.ts';
import { registerOpsRoutes } from './ops.ts';
import { registerOpenApiRoute } from './openapi.ts';
import { registerAdminRoutes } from './admin/routes.ts';
import { registerDashboard } from './dashboard.ts';
import { outcomeOf } from './outcome.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The client protocol of a route: decides the error shape. Absent on ops routes (no auth). */
    protocol?: ClientProtocol;
  }
  interface FastifyRequest {
    clientKey: ClientKey | undefined;
    credential: string | undefined;
    startedAt: number;
    /** The pipeline's record of the request, when it was proxied. */
    ctx: RequestContext | null;
    /** The error Fastify answered with, when the request failed before the pipeline. */
    failure: GatewayError | undefined;
  }
}

export interface AppOptions {
  gateway: Gateway;
}

const MAX_REQUEST_ID = 128;

/** The HTTP surface without listen(): tests drive it over loopback or with inject(). */
export function buildApp({ gateway }: AppOptions): FastifyInstance {
  const app = Fastify({
    // The gateway writes its own access line; Fastify's per-request child loggers would only cost time.
    logger: false,
    // The gateway enforces server.body_limit itself (it can change on reload); this is the hard ceiling.
    bodyLimit: 1024 * 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // Slow clients: the whole request (headers and body, at most body_limit) must arrive within
    // this time, checked every 5 s (Node's default check every 30 s let a 1-byte-per-5-s body hold
    // a connection for 150 s).
    requestTimeout: 30_000,
    http: { headersTimeout: 20_000, connectionsCheckingInterval: 5_000 },
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && given !== '' && given.length <= MAX_REQUEST_ID && /^[\w.:@/+=-]+$/.test(given) ? given : randomUUID();
    },
  });

  // A cap on open connections (beyond it Node closes new ones at once): idle keep-alive sockets
  // cost little each, but nothing else bounded their number.
  app.server.maxConnections = gateway.state.config.server.max_connections;

  app.decorateRequest('clientKey', undefined);
  app.decorateRequest('credential', undefined);
  app.decorateRequest('startedAt', 0);
  app.decorateRequest('ctx', null);
  app.decorateRequest('failure', undefined);

  // Any content type is read as JSON text: `curl -d` sends form encoding by default, and the
  // answer to a bad body should be a JSON 400 in the route's protocol, not a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    const limit = gateway.state.config.server.body_limit;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      done(tooLarge(limit), undefined);
      payload.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    payload.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        done(tooLarge(limit), undefined);
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => {
      if (!failed) done(null, Buffer.concat(chunks, size));
    });
    payload.on('error', (error) => {
      if (!failed) {
        failed = true;
        done(error, undefined);
      }
    });
  });

  registerCorsPreflight(app, gateway);

  app.addHook('onRequest', async (request, reply) => {
    request.startedAt = performance.now();
    // The one end-of-request point: every request, proxied or answered by Fastify, finished or
    // abandoned by its client, closes its response exactly once.
    reply.raw.once('close', () => {
      const outcome = outcomeOf(request, reply, performance.timeOrigin);
      if (outcome !== undefined) gateway.finish(outcome);
    });
    const state = gateway.state;
    // Answers the pipeline writes set their own id (answerHeaders) and bypass Fastify's reply.
    void reply.header('x-request-id', request.id);
    // Raw, so pipeline answers carry it too; a no-op unless CORS is on and the request has an Origin.
    applyCors(state.config.server.cors, request.headers.origin, reply.raw);
    const protocol = request.routeOptions.config.protocol;
    if (protocol === undefined) return;
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    const credential = presentedCredential(request.headers, q === -1 ? undefined : url.slice(q + 1));
    // forward_auth sends the client's credential to a keyless provider only when llmux has no keys
    // of its own: with auth on, that credential is llmux's client key, never the provider's.
    if (!state.keys.enabled) {
      request.credential = credential;
      return;
    }
    if (credential === undefined) throw new GatewayError('unauthorized', 'Missing API key: send it as "Authorization: Bearer <key>", "x-api-key", "x-goog-api-key" or "?key=".');
    const key = state.keys.lookup(credential);
    if (key === undefined) throw new GatewayError('unauthorized', 'Invalid API key.');
    request.clientKey = key;
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const protocol = request.routeOptions.config.protocol ?? protocolForPath(request.url);
    const err = toGatewayError(error);
    if (err.status >= 500) gateway.logger.error({ err: error, reqId: request.id }, 'request failed');
    sendError(request, reply, protocol, err);
  });

  app.setNotFoundHandler((request, reply) => {
    const err = new GatewayError('route_not_found', `Unknown route: ${request.method} ${redactUrl(request.url.split('?')[0] ?? '')}`);
    sendError(request, reply, protocolForPath(request.url), err);
  });

  registerOpsRoutes(app, gateway);
  registerOpenApiRoute(app);
  registerDashboard(app, gateway);
  registerOpenAIRoutes(app, gateway);
  registerAnthropicRoutes(app, gateway);
  registerGeminiRoutes(app, gateway);
  registerAdminRoutes(app, gateway);
  registerResponsesRoutes(app, gateway);
  return app;
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('body_too_large', `Request body is larger than the limit of ${limit} bytes (server.body_limit).`);
}

function sendError(request: FastifyRequest, reply: FastifyReply, protocol: ClientProtocol, err: GatewayError): void {
  request.failure = err;
  if (request.ctx !== null) {
    writeError(request.ctx, reply.raw, err);
    return;
  }
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.headersSent) writeErrorAnswer(reply.raw, codecs[protocol].encodeError(err), err, String(request.id));
    else if (!reply.raw.writableEnded) reply.raw.end();
    return;
  }
  const answer = errorAnswer(err, codecs[protocol].encodeError(err));
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** For routes that do not exist: answer in the shape the caller's SDK would parse. */
export function protocolForPath(url: string): ClientProtocol {
  if (url.startsWith('/v1beta') || /^\/v1\/models\/[^/?]+:/.test(url)) return 'gemini';
  if (url.startsWith('/v1/messages')) return 'anthropic';
  return 'openai';
}

export type { FastifyRequest };
