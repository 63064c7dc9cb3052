import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, invalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import { encodeGeminiModelList } from '../../protocols/gemini/models.ts';
import type { Operation } from '../../core/protocol.ts';
import { handleProxied } from '../proxied.ts';
import { jsonBody } from '../body.ts';
import { keyAllowsModel } from '../../auth/keys.ts';
import { checkModelName } from '../model-name.ts';

const config = { protocol: 'gemini' as const };

// A Map, not an object: the method name comes from the client, and ":constructor" must not find
// Object.prototype's.
const ACTIONS: ReadonlyMap<string, { op: Operation; stream: boolean }> = new Map([
  ['generateContent', { op: 'chat', stream: false }],
  ['streamGenerateContent', { op: 'chat', stream: true }],
  ['countTokens', { op: 'count_tokens', stream: false }],
  ['embedContent', { op: 'embed_content', stream: false }],
  ['batchEmbedContents', { op: 'embeddings', stream: false }],
]);

/** The Gemini API surface under /v1beta (and /v1) for Gemini clients (@google/genai, the Gemini CLI). */
export function registerGeminiRoutes(app: FastifyInstance, gateway: Gateway): void {
  const modelAction = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    // The router has decoded the path once already; decoding again would turn %25 into % (and
    // throw on what is then a bad escape).
    const tail = (request.params as { '*': string })['*'];
    const colon = tail.lastIndexOf(':');
    const model = colon > 0 ? tail.slice(0, colon) : tail;
    const action = ACTIONS.get(colon > 0 ? tail.slice(colon + 1) : '');
    if (action === undefined) {
      throw new GatewayError('route_not_found', `Unknown method "${colon > 0 ? tail.slice(colon + 1) : ''}": use generateContent, streamGenerateContent, countTokens, embedContent or batchEmbedContents.`);
    }
    checkModelName(model);
    const body = jsonBody(request);
    if (action.op === 'chat' && !Array.isArray(body['contents'])) throw invalidRequest('contents: required, an array of Content', 'contents');
    // Without alt=sse Google streams one JSON array; the SDKs ask for SSE.
    const framing = action.stream && (request.query as Record<string, unknown>)['alt'] !== 'sse' ? 'json-array' : 'sse';
    await handleProxied(gateway, request, reply, 'gemini', action.op, { body, model, stream: action.stream, framing });
    return reply;
  };
  app.post('/v1beta/models/*', { config }, modelAction);
  app.post('/v1/models/*', { config }, modelAction);

  app.get('/v1beta/models', { config }, async (request) => {
    const ids = gateway.state.catalog.publicModels().filter((m) => keyAllowsModel(request.clientKey, m.id)).map((m) => m.id);
    return encodeGeminiModelList(ids);
  });

  app.get('/v1beta/models/*', { config }, async (request) => {
    const id = (request.params as { '*': string })['*'];
    const found = gateway.state.catalog.publicModels().find((m) => m.id === id);
    if (found === undefined || !keyAllowsModel(request.clientKey, id)) throw new GatewayError('model_not_found', `models/${id} is not found.`);
    return encodeGeminiModelList([id]).models[0];
  });
}
