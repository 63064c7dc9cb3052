import type { IncomingHttpHeaders } from 'node:http';

/** The `X-Model-Provider` header, when the client pinned a provider. */
export function pinnedProvider(headers: IncomingHttpHeaders): string | undefined {
  const pin = headers['x-model-provider'];
  return typeof pin === 'string' && pin !== '' ? pin : undefined;
}
