import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import { estimateAnthropicInputTokens } from '../../protocols/anthropic/count-tokens.ts';
import { handleProxied, jsonBody, optionalBoolean, requireString } from '../handle.ts';
import { keyAllowsModel, modelNotAllowed } from '../../auth/keys.ts';
import { pinnedProvider } from '../../router/pin.ts';
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

  // Claude Code calls this constantly: the provider's own count where it is Anthropic, else an estimate
  // that counts system, tools and messages.
  app.post('/v1/messages/count_tokens', { config }, async (request, reply) => {
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    if (!Array.isArray(body['messages'])) throw invalidRequest('messages: Field required', 'messages');
    if (!keyAllowsModel(request.clientKey, model)) throw modelNotAllowed(request.clientKey, model);
    const state = gateway.state;
    const route = state.catalog.resolve(model, pinnedProvider(request.headers), (n) => keyAllowsModel(request.clientKey, n));
    if (route.targets.some((t) => state.providers.get(t.provider)?.adapter.protocol === 'anthropic')) {
      await handleProxied(gateway, request, reply, 'anthropic', 'count_tokens', { body, model, stream: false });
      return;
    }
    return { input_tokens: estimateAnthropicInputTokens(body) };
  });
}
