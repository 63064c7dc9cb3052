import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { isObject, isString } from '../../core/json.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import type { DecodeHooks } from '../../protocols/codec.ts';
import { ResponsesApiError } from '../../protocols/openai-responses/errors.ts';
import { historyOf, previousNotFound, replayable } from '../../responses-store/history.ts';
import type { ResponseStore } from '../../responses-store/store.ts';
import { jsonBody, optionalBoolean, requireString } from '../body.ts';
import { handleProxied } from '../proxied.ts';
import { checkModelName } from '../model-name.ts';
import { captureAnswer } from './responses-capture.ts';

const config = { protocol: 'responses' as const };

type Item = Record<string, unknown>;

/** The owner a stored response is visible to. */
const ownerOf = (request: FastifyRequest): string => request.clientKey?.name ?? 'anonymous';

function notFound(id: string): ResponsesApiError {
  return new ResponsesApiError('route_not_found', 'not_found', `Response with id '${id}' not found.`);
}

/** Ids for stored input items that came without one; unique per process, like answer ids. */
const STEM = randomBytes(6).toString('hex');
let counter = 0;
function newItemId(item: Item): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const prefix = item['type'] === 'function_call' ? 'fc' : item['type'] === 'function_call_output' ? 'fco' : item['type'] === 'reasoning' ? 'rs' : 'msg';
  return `${prefix}_${STEM}${counter.toString(36).padStart(6, '0')}`;
}

/** POST /v1/responses (stream and not), GET/DELETE /v1/responses/{id}, GET …/input_items, POST /v1/responses/input_tokens. */
export function registerResponsesRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post('/v1/responses', { config }, async (request, reply) => {
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    const stream = optionalBoolean(body, 'stream');
    if (body['background'] === true) throw unsupported('background', 'background responses are not supported by llmux');
    if (body['conversation'] !== undefined && body['conversation'] !== null) throw unsupported('conversation', 'conversation is not supported by llmux; use previous_response_id');
    const store = gateway.responses;
    const owner = ownerOf(request);
    const previous = body['previous_response_id'];
    const { forward, own, rewritten } = await expandInput(body, store, owner);

    const res = reply.raw;
    const hooks: DecodeHooks = {
      hostedTools: gateway.state.config.responses.hosted_tools,
      onDropped: (paths) => {
        if (!res.headersSent) res.setHeader('x-llmux-dropped-params', paths.join(', '));
        gateway.logger.debug({ reqId: request.id, dropped: paths }, 'request fields dropped: the target cannot honour them');
      },
      ...(isString(previous) ? { previousResponseId: previous } : {}),
    };
    const tap =
      store === undefined || body['store'] === false
        ? undefined
        : captureAnswer(async (response) => {
            if (!isString(response['id'])) return;
            if (isString(previous)) response['previous_response_id'] = previous;
            const input = own.map(storedItem);
            await store
              .put({ id: response['id'], owner, ...(isString(previous) ? { parentId: previous } : {}), response, input })
              .catch((error: unknown) => gateway.logger.warn({ reqId: request.id, err: error }, 'could not store the response'));
          });
    await handleProxied(gateway, request, reply, 'responses', 'chat', { body: forward, model, stream, hooks, tap, ...(rewritten ? { rewritten: true } : {}) });
  });

  // Only background responses can be cancelled, and llmux runs none.
  app.post('/v1/responses/:id/cancel', { config }, async () => {
    throw unsupported('background', 'Only background responses can be cancelled, and llmux does not run background responses.');
  });

  app.get('/v1/responses/:id', { config }, async (request) => {
    const { id } = request.params as { id: string };
    const record = await gateway.responses?.get(id, ownerOf(request));
    if (record === undefined) throw notFound(id);
    return record.response;
  });

  app.delete('/v1/responses/:id', { config }, async (request) => {
    const { id } = request.params as { id: string };
    if (!(await gateway.responses?.delete(id, ownerOf(request)))) throw notFound(id);
    return { id, object: 'response', deleted: true };
  });

  app.get('/v1/responses/:id/input_items', { config }, async (request) => {
    const { id } = request.params as { id: string };
    const query = request.query as Record<string, string | undefined>;
    const record = await gateway.responses?.get(id, ownerOf(request));
    if (record === undefined) throw notFound(id);
    const limit = query['limit'] === undefined ? 20 : Number(query['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidRequest("Invalid 'limit': expected an integer between 1 and 100.", 'limit');
    const order = query['order'] ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw invalidRequest("Invalid 'order': expected 'asc' or 'desc'.", 'order');
    let items = order === 'desc' ? [...record.input].reverse() : [...record.input];
    const after = query['after'];
    if (after !== undefined) {
      const at = items.findIndex((item) => item['id'] === after);
      if (at === -1) throw invalidRequest(`Invalid 'after': no item '${after}' in this response's input.`, 'after');
      items = items.slice(at + 1);
    }
    const data = items.slice(0, limit);
    return { object: 'list', data, first_id: data[0]?.['id'] ?? null, last_id: data.at(-1)?.['id'] ?? null, has_more: items.length > limit };
  });

  // The provider's own count where one can count, else the local estimate count_tokens uses.
  app.post('/v1/responses/input_tokens', { config }, async (request, reply) => {
    const body = jsonBody(request);
    const model = checkModelName(requireString(body, 'model'));
    const { forward, rewritten } = await expandInput(body, gateway.responses, ownerOf(request));
    await handleProxied(gateway, request, reply, 'responses', 'count_tokens', { body: forward, model, stream: false, ...(rewritten ? { rewritten: true } : {}) });
  });
}

/**
 * The request as it goes on: `item_reference`s replaced by the stored items, and the history of
 * `previous_response_id` put in front of the input (the id itself removed, since the upstream
 * may not know it).
 */
async function expandInput(body: Item, store: ResponseStore | undefined, owner: string): Promise<{ forward: Item; own: Item[]; rewritten: boolean }> {
  const previous = body['previous_response_id'];
  if (previous !== undefined && previous !== null && !isString(previous)) throw invalidRequest("Invalid type for 'previous_response_id': expected a string.", 'previous_response_id');
  const resolved = await resolveReferences(inputItems(body['input']), store, owner);
  let history: Item[] = [];
  if (isString(previous)) {
    if (store === undefined) throw previousNotFound(previous);
    history = await historyOf(store, previous, owner);
  }
  const rewritten = isString(previous) || resolved.changed;
  const forward: Item = rewritten ? { ...body, input: [...history, ...resolved.items] } : body;
  if (rewritten) delete forward['previous_response_id'];
  return { forward, own: resolved.items, rewritten };
}

/** An input item as `/input_items` lists it: with an id, and a message in its full form. */
function storedItem(item: Item): Item {
  let out = item;
  if (item['type'] === undefined && item['role'] !== undefined) out = { type: 'message', ...item };
  if (out['type'] === 'message' && isString(out['content'])) {
    out = { ...out, content: [{ type: out['role'] === 'assistant' ? 'output_text' : 'input_text', text: out['content'] }] };
  }
  return isString(out['id']) ? out : { id: newItemId(out), ...out };
}

/** `input` as a list of items: a string is one user message. */
function inputItems(input: unknown): Item[] {
  if (input === undefined || input === null) return [];
  if (isString(input)) return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) throw invalidRequest("Invalid type for 'input': expected a string or an array of items.", 'input');
  return input.map((item, i) => {
    if (!isObject(item)) throw invalidRequest(`Invalid type for 'input[${i}]': expected an object.`, `input[${i}]`);
    return item;
  });
}

/** `item_reference` items replaced by the stored items they name; an unknown one is a 400. */
async function resolveReferences(items: Item[], store: ResponseStore | undefined, owner: string): Promise<{ items: Item[]; changed: boolean }> {
  if (!items.some((item) => item['type'] === 'item_reference')) return { items, changed: false };
  const out: Item[] = [];
  for (const [i, item] of items.entries()) {
    if (item['type'] !== 'item_reference') {
      out.push(item);
      continue;
    }
    const id = item['id'];
    const found = isString(id) && store !== undefined ? await store.item(id, owner) : undefined;
    if (found === undefined) throw new ResponsesApiError('invalid_request', 'item_not_found', `Item with id '${String(id)}' not found.`, `input[${i}].id`);
    out.push(replayable(found));
  }
  return { items: out, changed: true };
}


