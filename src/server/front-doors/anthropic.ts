import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import { handleProxied } from '../proxied.ts';
import { jsonBody, optionalBoolean, requireString } from '../body.ts';
import { checkModelName } from '../model-name.ts';

const config = { protocol: 'anthropic' as const };

/** POST /v1/messages and /v1/messages/count_tokens, for Anthropic clients (Claude Code, the SDK). */
export function registerAnthropicRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post('/v1/messages', { config }, async (request, reply) => {
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    if (!Array.isArray(body['messages'])) throw invalidRequest('messages: Field required', 'messages');
    const stream = optionalBoolean(body, 'stream');
    await handleProxied(gateway, request, reply, 'anthropic', 'chat', { body, model, stream });
  });

  // Claude Code calls this constantly: the provider's own count where it is Anthropic, else the
  // pipeline's local estimate.
  app.post('/v1/messages/count_tokens', { config }, async (request, reply) => {
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    if (!Array.isArray(body['messages'])) throw invalidRequest('messages: Field required', 'messages');
    await handleProxied(gateway, request, reply, 'anthropic', 'count_tokens', { body, model, stream: false });
  });
}
