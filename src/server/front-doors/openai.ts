import type { FastifyInstance } from 'fastify';
import { GatewayError, invalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import { encodeAnthropicModelList } from '../../protocols/anthropic/models.ts';
import { encodeGeminiModelList } from '../../protocols/gemini/models.ts';
import { encodeOpenAIModel, encodeOpenAIModelList } from '../../protocols/openai/models.ts';
import { handleProxied } from '../proxied.ts';
import { jsonBody, largeChatBody, optionalBoolean, requireString } from '../body.ts';
import { keyAllowsModel } from '../../auth/keys.ts';
import { checkModelName } from '../model-name.ts';

const config = { protocol: 'openai' as const };

/** POST /v1/chat/completions, /v1/completions, /v1/embeddings; GET /v1/models[/{id}]. */
export function registerOpenAIRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post('/v1/chat/completions', { config }, async (request, reply) => {
    const large = largeChatBody(request);
    if (large !== undefined) {
      await handleProxied(gateway, request, reply, 'openai', 'chat', { body: large.body, model: checkModelName(large.model), stream: large.stream });
      return;
    }
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    if (!Array.isArray(body['messages'])) throw invalidRequest("Missing required parameter: 'messages' (an array of messages).", 'messages');
    if (body['messages'].length === 0) throw invalidRequest("'messages' must contain at least one message.", 'messages');
    const stream = optionalBoolean(body, 'stream');
    await handleProxied(gateway, request, reply, 'openai', 'chat', { body, model, stream });
  });

  app.post('/v1/completions', { config }, async (request, reply) => {
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    if (body['prompt'] === undefined || body['prompt'] === null) throw invalidRequest("Missing required parameter: 'prompt'.", 'prompt');
    const stream = optionalBoolean(body, 'stream');
    await handleProxied(gateway, request, reply, 'openai', 'completions', { body, model, stream });
  });

  app.post('/v1/embeddings', { config }, async (request, reply) => {
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    if (body['input'] === undefined || body['input'] === null) throw invalidRequest("Missing required parameter: 'input'.", 'input');
    await handleProxied(gateway, request, reply, 'openai', 'embeddings', { body, model, stream: false });
  });

  app.get('/v1/models', { config }, async (request) => {
    const models = gateway.state.catalog.publicModels().filter((m) => keyAllowsModel(request.clientKey, m.id));
    // The Anthropic SDK lists models at the same path (it always sends anthropic-version), and so does
    // the Gemini SDK when its apiVersion is v1 (it always sends x-goog-api-client).
    if (request.headers['anthropic-version'] !== undefined) return encodeAnthropicModelList(models.map((m) => m.id), startedSeconds);
    if (isGeminiClient(request.headers)) return encodeGeminiModelList(models.map((m) => m.id));
    return encodeOpenAIModelList(models.map((m) => ({ id: m.id, ownedBy: m.ownedBy, created: startedSeconds })));
  });

  app.get('/v1/models/*', { config }, async (request) => {
    // The router has decoded the path once already; decoding again would turn %25 into %.
    const id = (request.params as { '*': string })['*'];
    const found = gateway.state.catalog.publicModels().find((m) => m.id === id);
    if (found === undefined || !keyAllowsModel(request.clientKey, id)) {
      throw new GatewayError('model_not_found', `The model "${id}" does not exist.`, { param: 'model' });
    }
    if (request.headers['anthropic-version'] !== undefined) return encodeAnthropicModelList([found.id], startedSeconds).data[0];
    if (isGeminiClient(request.headers)) return encodeGeminiModelList([found.id]).models[0];
    return encodeOpenAIModel({ id: found.id, ownedBy: found.ownedBy, created: startedSeconds });
  });
}

function isGeminiClient(headers: Record<string, string | string[] | undefined>): boolean {
  const client = headers['x-goog-api-client'];
  return headers['x-goog-api-key'] !== undefined || (typeof client === 'string' && client.includes('genai'));
}

/** Model `created` stamps: the gateway does not know when a provider created a model, so it uses its start time. */
const startedSeconds = Math.floor(Date.now() / 1000);
