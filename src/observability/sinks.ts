import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { RateLimiter } from '../limits/limiter.ts';
import { OTHER, type Metrics } from './metrics.ts';
import type { OutcomeSink, RequestOutcome } from './outcome.ts';

/** The consumers every gateway has; the ledger adds itself when it is on. */

/** Prometheus: model labels outside the public list collapse into "other", so label sets stay bounded. */
export function metricsSink(metrics: Metrics, isListed: (model: string) => boolean): OutcomeSink {
  return (o) => {
    const model = o.model !== undefined && isListed(o.model) ? o.model : OTHER;
    const provider = o.provider ?? '';
    metrics.request({
      route: o.route,
      model,
      provider,
      status: o.status,
      durationS: o.durationMs / 1000,
      overheadS: o.overheadMs === undefined ? undefined : o.overheadMs / 1000,
      upstreamS: o.provider === undefined || o.upstreamMs === undefined ? undefined : o.upstreamMs / 1000,
      ttftS: o.firstChunkMs === undefined ? undefined : o.firstChunkMs / 1000,
      stream: o.stream,
    });
    // Refused by the gateway's own limit, not passed on from an upstream's 429.
    if (o.errorCode === 'rate_limited' && o.attempts === 0) metrics.rateLimited(o.key ?? 'anonymous');
    const u = o.usage;
    if (u !== undefined) {
      metrics.tokens({ key: o.key ?? 'anonymous', model, provider, prompt: u.promptTokens, completion: u.completionTokens, cached: u.cachedTokens, reasoning: u.reasoningTokens });
    }
  };
}

/** One access line per request, with the fields operators grep for; 5xx at warn. */
export function accessLogSink(logger: Logger, config: () => Config): OutcomeSink {
  return (o) => {
    if (!config().logging.requests) return;
    const line = accessLine(o);
    if (o.status >= 500) logger.warn(line, 'request');
    else logger.info(line, 'request');
  };
}

export function accessLine(o: RequestOutcome): Record<string, unknown> {
  return {
    reqId: o.reqId,
    method: o.method,
    path: o.path,
    status: o.status,
    durationMs: round(o.durationMs),
    key: o.key,
    model: o.model,
    provider: o.provider,
    upstreamModel: o.upstreamModel,
    attempts: o.op === undefined ? undefined : o.attempts,
    stream: o.op === undefined ? undefined : o.stream,
    promptTokens: o.usage?.promptTokens,
    completionTokens: o.usage?.completionTokens,
    ttfbMs: o.ttfbMs === undefined ? undefined : round(o.ttfbMs),
    overheadMs: o.overheadMs === undefined ? undefined : round(o.overheadMs),
    error: o.errorMessage,
  };
}

/** Tokens-per-minute windows are charged once the answer has reported its usage. */
export function tokenWindowSink(limiter: () => RateLimiter): OutcomeSink {
  return (o) => {
    const w = o.tokenWindow;
    if (w === undefined || w.tpm <= 0 || o.usage === undefined) return;
    const tokens = o.usage.promptTokens + o.usage.completionTokens;
    limiter().recordTokens({ id: w.id, rpm: 0, tpm: w.tpm }, tokens).catch(() => undefined);
  };
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
