import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../gateway/gateway.ts';
import { RECORD_COLUMNS, type UsageRecord } from '../../ledger/record.ts';
import { invalidRequest } from '../../core/errors.ts';
import { filtersOf, param, parseLimit, parseStatus, type QueryParams } from './query.ts';

const CSV_PAGE = 1000;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
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
    const filters = { ...filtersOf(query), status: parseStatus(query), before: param(query, 'before') };
    const store = gateway.ledger?.store;
    if (format === 'json') {
      const limit = parseLimit(query, 100, 1000);
      const data = store === undefined ? [] : await store.requests({ ...filters, limit });
      return { data, next: data.length === limit ? (data[data.length - 1]?.id ?? null) : null };
    }
    const cap = parseLimit(query, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="llmux-requests.csv"', 'x-request-id': String(request.id) });
    res.write(`${RECORD_COLUMNS.join(',')}\n`);
    let before = filters.before;
    let sent = 0;
    try {
      while (store !== undefined && sent < cap && !res.destroyed) {
        const page = await store.requests({ ...filters, before, limit: Math.min(CSV_PAGE, cap - sent) });
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
