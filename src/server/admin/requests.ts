import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../gateway/gateway.ts';
import { idAtTime, RECORD_COLUMNS, type UsageRecord } from '../../ledger/record.ts';
import { invalidRequest } from '../../core/errors.ts';
import { filtersOf, param, parseInstant, parseLimit, parseStatus, type QueryParams } from './query.ts';
import { fromStore } from './store-call.ts';

const CSV_PAGE = 1000;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * `before` (a record id) and the optional `from`/`to` range. Ids begin with the time the record was
 * made, so a range becomes id bounds and is cut through the primary key like any page.
 */
function timeBounds(query: QueryParams): { before: string | undefined; since: string | undefined } {
  const now = Date.now();
  const fromRaw = param(query, 'from');
  const toRaw = param(query, 'to');
  let before = param(query, 'before');
  if (toRaw !== undefined) {
    const bound = idAtTime(parseInstant(toRaw, 'to', now));
    if (before === undefined || bound < before) before = bound;
  }
  return { before, since: fromRaw === undefined ? undefined : idAtTime(parseInstant(fromRaw, 'from', now)) };
}

export function csvLine(r: UsageRecord): string {
  return `${RECORD_COLUMNS.map((c) => csvCell(c === 'time' ? new Date(r.time).toISOString() : r[c])).join(',')}\n`;
}

/**
 * GET /admin/requests: recent records newest first, cut by id (`before`), never counted or
 * offset. `format=csv` streams every matching record page by page, waiting for the client to
 * read each one, so an export of millions costs memory for one page.
 */
export function registerRequestsRoute(app: FastifyInstance, gateway: Gateway): void {
  app.get('/requests', async (request, reply) => {
    const query = request.query as QueryParams;
    const format = param(query, 'format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw invalidRequest(`'format' is json or csv; got "${format}".`, 'format');
    const filters = { ...filtersOf(query), status: parseStatus(query), ...timeBounds(query) };
    const store = gateway.ledger?.store;
    if (format === 'json') {
      const limit = parseLimit(query, 100, 1000);
      const data = store === undefined ? [] : await fromStore(() => store.requests({ ...filters, limit }));
      return { data, next: data.length === limit ? (data[data.length - 1]?.id ?? null) : null };
    }
    const cap = parseLimit(query, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    // The first page is read before the answer starts: a store that is down is a 503, not an empty file.
    const first = store === undefined ? [] : await fromStore(() => store.requests({ ...filters, limit: Math.min(CSV_PAGE, cap) }));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="llmux-requests.csv"', 'x-request-id': String(request.id) });
    res.write(`${RECORD_COLUMNS.join(',')}\n`);
    let before = filters.before;
    let sent = 0;
    try {
      let page = first;
      while (store !== undefined && sent < cap && !res.destroyed) {
        if (sent > 0) page = await store.requests({ ...filters, before, limit: Math.min(CSV_PAGE, cap - sent) });
        if (page.length === 0) break;
        const ok = res.write(page.map(csvLine).join(''));
        sent += page.length;
        before = page[page.length - 1]?.id;
        if (!ok) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
        if (page.length < CSV_PAGE) break;
      }
    } catch (error) {
      gateway.logger.warn({ err: (error as Error).message, reqId: request.id }, 'admin: CSV export cut short');
    }
    res.end();
  });
}
