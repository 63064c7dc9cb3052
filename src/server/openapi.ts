import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3.1 description of every route llmux serves, at GET /openapi.json (no key needed:
 * it describes the surface, not the deployment). Request schemas give what the gateway itself
 * checks (the rest goes to the provider as the client wrote it); every error is described in the
 * shape of the route's protocol. The test suite checks the running gateway against it with
 * generated requests (schemathesis).
 */

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });

type Shape = 'OpenAIError' | 'AnthropicError' | 'GeminiError';

/** The error answers a route may give, all in its protocol's shape. */
function errors(shape: Shape, statuses: readonly number[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const s of statuses) out[String(s)] = { description: ERROR_TEXT[s] ?? 'error', content: json(ref(shape)) };
  return out;
}

const ERROR_TEXT: Record<number, string> = {
  400: 'the request is malformed (the message names the field)',
  401: 'missing or unknown key',
  403: 'the key may not use this model',
  404: 'unknown model or route',
  405: 'method not allowed',
  408: 'the request took too long to arrive',
  409: 'conflict',
  413: 'the body is larger than server.body_limit',
  415: 'unsupported media type',
  422: 'the provider refused the request',
  429: 'rate limited (retry-after says when to retry)',
  500: 'internal error',
  502: 'the provider failed',
  503: 'no usable provider',
  504: 'the provider timed out',
};

const PROXIED = [400, 401, 403, 404, 413, 422, 429, 502, 503, 504] as const;
const LISTING = [401, 404] as const;

const modelBody = (required: string[], properties: Json): Json => ({
  type: 'object',
  required: ['model', ...required],
  properties: { model: { type: 'string', minLength: 1 }, stream: { type: 'boolean' }, ...properties },
  additionalProperties: true,
});

const answer = (description: string, stream: boolean): Json => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } }, ...(stream ? { 'text/event-stream': { schema: {} } } : {}) },
});

function post(summary: string, shape: Shape, body: Json, stream: boolean, example: Json): Json {
  return {
    summary,
    requestBody: { required: true, content: { 'application/json': { schema: body, example } } },
    responses: { '200': answer('the answer (a stream of server-sent events when asked for one)', stream), ...errors(shape, PROXIED) },
  };
}

const modelPath = { name: 'model', in: 'path', required: true, schema: { type: 'string', minLength: 1 }, example: 'gemini-2.5-flash' };
const hi = [{ role: 'user', content: 'Hi' }];
const idPath = { name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } };

function geminiAction(summary: string, body: Json, stream: boolean, example: Json): Json {
  return {
    post: {
      summary,
      parameters: [modelPath, ...(stream ? [{ name: 'alt', in: 'query', required: false, schema: { type: 'string', enum: ['sse', 'json'] } }] : [])],
      requestBody: { required: true, content: { 'application/json': { schema: body, example } } },
      // Without alt=sse a stream is one JSON array of responses, as Google sends it.
      responses: { '200': stream ? { description: 'the answer: server-sent events, or one JSON array', content: { 'application/json': { schema: { type: ['object', 'array'] } }, 'text/event-stream': { schema: {} } } } : answer('the answer', false), ...errors('GeminiError', PROXIED) },
    },
  };
}

const geminiHi = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };
const contents = { type: 'object', required: ['contents'], properties: { contents: { type: 'array', items: { type: 'object' } } }, additionalProperties: true };

const admin = (summary: string, extra: Json = {}, ok: Json = { '200': { description: 'ok', content: json({ type: 'object' }) } }): Json => ({
  summary,
  security: [{ bearer: [] }, { apiKey: [] }],
  responses: { ...ok, ...errors('OpenAIError', [400, 401, 403, 404, 409]) },
  ...extra,
});

export const OPENAPI: Json = {
  openapi: '3.1.0',
  info: {
    title: 'llmux',
    version: '0.1.0',
    description: 'One OpenAI-, Anthropic- and Gemini-compatible endpoint in front of every LLM provider. Errors use the shape of the route\'s protocol.',
  },
  security: [{ bearer: [] }, { apiKey: [] }, { googApiKey: [] }, { queryKey: [] }, {}],
  paths: {
    '/v1/chat/completions': {
      post: post('OpenAI chat completion', 'OpenAIError', modelBody(['messages'], { messages: { type: 'array', minItems: 1, items: { type: 'object' } } }), true, { model: 'gpt-4o-mini', messages: hi }),
    },
    '/v1/completions': { post: post('OpenAI legacy completion', 'OpenAIError', modelBody(['prompt'], { prompt: { type: ['string', 'array'] } }), true, { model: 'gpt-4o-mini', prompt: 'Hi' }) },
    '/v1/embeddings': { post: post('OpenAI embeddings', 'OpenAIError', modelBody(['input'], { input: { type: ['string', 'array'] } }), false, { model: 'text-embedding-3-small', input: 'Hi' }) },
    '/v1/models': { get: { summary: 'the merged model list (the key\'s allowed models)', responses: { '200': { description: 'models', content: json({ type: 'object' }) }, ...errors('OpenAIError', LISTING) } } },
    '/v1/models/{model}': {
      get: { summary: 'one model', parameters: [modelPath], responses: { '200': { description: 'the model', content: json({ type: 'object' }) }, ...errors('OpenAIError', LISTING) } },
    },
    '/v1/messages': {
      post: post('Anthropic Messages', 'AnthropicError', modelBody(['messages'], { messages: { type: 'array', items: { type: 'object' } }, max_tokens: { type: 'integer' } }), true, { model: 'claude-sonnet-4', max_tokens: 16, messages: hi }),
    },
    '/v1/messages/count_tokens': {
      post: post('Anthropic token count', 'AnthropicError', modelBody(['messages'], { messages: { type: 'array', items: { type: 'object' } } }), false, { model: 'claude-sonnet-4', messages: hi }),
    },
    '/v1beta/models/{model}:generateContent': geminiAction('Gemini generateContent', contents, false, geminiHi),
    '/v1beta/models/{model}:streamGenerateContent': geminiAction('Gemini streamGenerateContent', contents, true, geminiHi),
    '/v1beta/models/{model}:countTokens': geminiAction('Gemini countTokens', { type: 'object', additionalProperties: true }, false, geminiHi),
    '/v1beta/models/{model}:embedContent': geminiAction('Gemini embedContent', { type: 'object', additionalProperties: true }, false, { content: { parts: [{ text: 'Hi' }] } }),
    '/v1beta/models/{model}:batchEmbedContents': geminiAction('Gemini batchEmbedContents', { type: 'object', additionalProperties: true }, false, { requests: [{ content: { parts: [{ text: 'Hi' }] } }] }),
    '/v1beta/models': { get: { summary: 'Gemini-shaped model list', responses: { '200': { description: 'models', content: json({ type: 'object' }) }, ...errors('GeminiError', LISTING) } } },
    '/v1beta/models/{model}': {
      get: { summary: 'one Gemini-shaped model', parameters: [modelPath], responses: { '200': { description: 'the model', content: json({ type: 'object' }) }, ...errors('GeminiError', LISTING) } },
    },
    '/v1/responses': { post: post('OpenAI Responses: create', 'OpenAIError', modelBody([], { input: { type: ['string', 'array'] } }), true, { model: 'gpt-4o-mini', input: 'Hi' }) },
    '/v1/responses/input_tokens': { post: post('OpenAI Responses: count input tokens', 'OpenAIError', modelBody([], { input: { type: ['string', 'array'] } }), false, { model: 'gpt-4o-mini', input: 'Hi' }) },
    '/v1/responses/{id}': {
      get: { summary: 'OpenAI Responses: retrieve', parameters: [idPath], responses: { '200': answer('the response', true), ...errors('OpenAIError', [400, 401, 404]) } },
      delete: { summary: 'OpenAI Responses: delete', parameters: [idPath], responses: { '200': answer('deleted', false), ...errors('OpenAIError', [400, 401, 404]) } },
    },
    '/v1/responses/{id}/input_items': {
      get: { summary: 'OpenAI Responses: input items', parameters: [idPath], responses: { '200': answer('the items', false), ...errors('OpenAIError', [400, 401, 404]) } },
    },
    '/health': { get: { summary: 'liveness', security: [{}], responses: { '200': { description: 'serving', content: json(ref('Health')) } } } },
    '/ready': {
      get: { summary: 'readiness', security: [{}], responses: { '200': { description: 'a provider is usable', content: json(ref('Ready')) }, '503': { description: 'no provider is usable', content: json(ref('Ready')) } } },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        security: [{}],
        responses: { '200': { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors('OpenAIError', [404]) },
      },
    },
    '/openapi.json': { get: { summary: 'this description', security: [{}], responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } } },
    '/admin/usage': {
      get: admin('usage aggregates', {
        parameters: ['from', 'to', 'group_by', 'key', 'model', 'provider'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
      }),
    },
    '/admin/requests': {
      get: admin('recent requests', {
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          ...['before', 'key', 'model', 'provider', 'status', 'format'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
        ],
      }),
    },
    '/admin/providers': { get: admin('providers and their circuits') },
    '/admin/keys': {
      get: admin('client keys'),
      post: admin(
        'create a virtual key',
        { requestBody: { required: true, content: json({ type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, models: { type: 'array', items: { type: 'string' } }, rpm: { type: 'integer' }, tpm: { type: 'integer' }, budget: { type: 'number' }, expires_at: { type: 'string' } } }) } },
        { '201': { description: 'created (the secret is shown this once)', content: json({ type: 'object' }) } },
      ),
    },
    '/admin/keys/{id}': {
      patch: admin('change a virtual key', { parameters: [idPath], requestBody: { required: true, content: json({ type: 'object' }) } }),
      delete: admin('revoke a virtual key', { parameters: [idPath] }, { '204': { description: 'revoked' } }),
    },
    '/admin/config': { get: admin('the running config (secrets redacted) and routing table') },
    '/admin/events': { get: admin('live events', {}, { '200': { description: 'server-sent events', content: { 'text/event-stream': { schema: {} } } } }) },
    '/dashboard': {
      get: { summary: 'the web console', security: [{}], responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, ...errors('OpenAIError', [404]) } },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      googApiKey: { type: 'apiKey', in: 'header', name: 'x-goog-api-key' },
      queryKey: { type: 'apiKey', in: 'query', name: 'key' },
    },
    schemas: {
      OpenAIError: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['message', 'type'],
            properties: { message: { type: 'string' }, type: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: ['string', 'null'] } },
          },
        },
      },
      AnthropicError: {
        type: 'object',
        required: ['type', 'error'],
        properties: {
          type: { const: 'error' },
          error: { type: 'object', required: ['type', 'message'], properties: { type: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      GeminiError: {
        type: 'object',
        required: ['error'],
        properties: {
          error: { type: 'object', required: ['code', 'message', 'status'], properties: { code: { type: 'integer' }, message: { type: 'string' }, status: { type: 'string' } } },
        },
      },
      Health: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } },
      Ready: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, providers: { type: 'object', additionalProperties: { type: 'string' } } } },
    },
  },
};

const TEXT = JSON.stringify(OPENAPI);

export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(TEXT));
}
