import { Agent, interceptors, request } from 'undici';
import type { ImageSource } from '../core/chat.ts';
import { GatewayError } from '../core/errors.ts';

/** an image fetched for a provider that only takes inline data is capped at 20 MB. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;
const redirecting = new Agent().compose(interceptors.redirect({ maxRedirections: 3 }));

const BY_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif' };

/** Downloads an image a client referenced by URL, as base64, within the size cap and a timeout. */
export async function fetchImage(url: string, signal: AbortSignal): Promise<ImageSource> {
  const fail = (why: string): GatewayError => new GatewayError('invalid_request', `Could not fetch the image ${url}: ${why}.`, { param: 'messages' });
  let res;
  try {
    res = await request(url, { method: 'GET', signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]), headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS, dispatcher: redirecting });
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (res.statusCode >= 400) {
    await res.body.dump();
    throw fail(`it answered ${res.statusCode}`);
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_IMAGE_BYTES) {
    await res.body.dump();
    throw fail(`it is larger than ${MAX_IMAGE_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_IMAGE_BYTES) {
      res.body.destroy();
      throw fail(`it is larger than ${MAX_IMAGE_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const header = res.headers['content-type'];
  const type = typeof header === 'string' ? header.split(';')[0]?.trim() : undefined;
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  const mediaType = type !== undefined && type.startsWith('image/') ? type : (BY_EXTENSION[ext ?? ''] ?? 'application/octet-stream');
  return { kind: 'base64', mediaType, data: Buffer.concat(chunks, size).toString('base64') };
}
