import type { Usage } from '../../core/chat.ts';
import { isFiniteNumber, isObject, isString } from '../../core/json.ts';
import { parseEventJson } from '../raw-json.ts';
import type { PassthroughObserver } from '../codec.ts';
import { failureCode } from './errors.ts';
import { decodeResponsesUsage } from './usage.ts';

/** Ids llmux mints for Responses answers it converts. */
export const idPrefix = 'resp_';

const TERMINALS = ['response.completed', 'response.incomplete', 'response.failed'];
const TERMINAL_NAMES = TERMINALS.map((t) => Buffer.from(t));
const CREATED = Buffer.from('"response.created"');
const SEQUENCE = /"sequence_number"\s*:\s*(\d+)/;

/**
 * Watches a Responses stream passed through as bytes. Only the `response.created` event and the
 * terminal one are parsed (the id, and the usage); every other event is scanned for its sequence
 * number with a regular expression, not parsed. A stream the upstream broke off is ended with a
 * `response.failed` numbered after the last event sent and carrying the upstream's own response
 * id, so the client's grammar holds.
 */
export function createResponsesPassthroughObserver(): PassthroughObserver & { failure(message: string, status: number): Buffer } {
  let complete = false;
  let usage: Usage | undefined;
  let lastSeq = -1;
  let response: Record<string, unknown> | undefined;
  return {
    get complete() {
      return complete;
    },
    get usage() {
      return usage;
    },
    event(raw) {
      // OpenAI writes sequence_number last; other servers first: look at both ends before the whole.
      const m = SEQUENCE.exec(raw.subarray(-120).toString('latin1')) ?? SEQUENCE.exec(raw.subarray(0, 200).toString('latin1')) ?? SEQUENCE.exec(raw.toString('utf8'));
      if (m?.[1] !== undefined) lastSeq = Math.max(lastSeq, Number(m[1]));
      if (response === undefined && raw.includes(CREATED)) {
        const r = parseEventJson(raw)?.['response'];
        if (isObject(r)) response = r;
      }
      // The name may also occur inside some text: only the parsed type says it is the terminal event.
      if (TERMINAL_NAMES.some((t) => raw.includes(t))) {
        const data = parseEventJson(raw);
        if (data !== undefined && TERMINALS.includes(String(data['type']))) {
          complete = true;
          const r = data['response'];
          if (isObject(r)) usage = decodeResponsesUsage(r['usage']) ?? usage;
        }
      }
      return true;
    },
    failure(message, status) {
      const base = response ?? {};
      const data = {
        type: 'response.failed',
        sequence_number: lastSeq + 1,
        response: {
          ...base,
          id: isString(base['id']) ? base['id'] : 'resp_failed',
          object: 'response',
          created_at: isFiniteNumber(base['created_at']) ? base['created_at'] : Math.floor(Date.now() / 1000),
          status: 'failed',
          error: { code: failureCode(status), message },
          incomplete_details: null,
          output: [],
          usage: null,
        },
      };
      complete = true;
      return Buffer.from(`event: response.failed\ndata: ${JSON.stringify(data)}\n\n`);
    },
  };
}

/** Usage of a whole non-stream Response object: it sits at the top level, after `output`. */
export function responsesUsageFromBody(body: Buffer): Usage | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return isObject(value) ? decodeResponsesUsage(value['usage']) : undefined;
  } catch {
    return undefined;
  }
}
