import type { ChatRequest, ContentPart, ImagePart } from '../core/chat.ts';
import { GatewayError } from '../core/errors.ts';
import type { Config } from '../config/schema.ts';
import { compileGlob, matchesAny } from '../router/glob.ts';
import { DEFAULT_IMAGE_POLICY, fetchImage, MAX_IMAGE_BYTES, type ImageBudget, type ImagePolicy } from '../upstream/fetch-image.ts';

/** Image URLs one request may have fetched: each is up to 20 MB held twice (bytes and base64). */
export const MAX_IMAGES_PER_REQUEST = 16;
/** Fetches of one request running at once. */
const FETCH_CONCURRENCY = 4;

const policies = new WeakMap<object, ImagePolicy>();

function policyFor(images: Config['images'] | undefined): ImagePolicy {
  if (images === undefined) return DEFAULT_IMAGE_POLICY;
  let policy = policies.get(images);
  if (policy === undefined) {
    const hosts = images.allow_hosts.map((h) => compileGlob(h.toLowerCase()));
    policy = { fetch: images.fetch, allowsHost: (host) => matchesAny(hosts, host), allowPrivate: images.allow_private };
    policies.set(images, policy);
  }
  return policy;
}

/**
 * Replaces every http(s) image URL in the request with the image's bytes, for providers (Gemini)
 * that cannot fetch a URL themselves. The request is copied, never changed in place: another
 * target of the same request may take URLs.
 *
 * One request is bounded whatever it asks for: at most 16 image URLs, 20 MB of images in all
 * (a URL named twice counts twice, since its bytes go upstream twice), 4 fetches at a time.
 */
export async function inlineImageUrls(req: ChatRequest, signal: AbortSignal, images?: Config['images']): Promise<ChatRequest> {
  const policy = policyFor(images);
  const isFetched = (p: ContentPart): p is ImagePart => p.type === 'image' && p.source.kind === 'url' && /^https?:\/\//i.test(p.source.url);
  let count = 0;
  for (const m of req.messages) {
    for (const p of m.content) {
      if (isFetched(p)) count++;
      else if (p.type === 'tool-result') for (const q of p.content) if (isFetched(q)) count++;
    }
  }
  if (count === 0) return req;
  if (count > MAX_IMAGES_PER_REQUEST) {
    throw new GatewayError('invalid_request', `A request may reference at most ${MAX_IMAGES_PER_REQUEST} image URLs for this model (got ${count}); send the others inline.`, { param: 'messages' });
  }

  const budget: ImageBudget = { bytesLeft: MAX_IMAGE_BYTES };
  const local = new AbortController();
  const fetchSignal = AbortSignal.any([signal, local.signal]);
  const slots = new Slots(FETCH_CONCURRENCY);
  const urls = new Map<string, Promise<ImagePart['source']>>();
  const fetchOnce = (url: string): Promise<ImagePart['source']> => {
    let pending = urls.get(url);
    if (pending === undefined) {
      pending = slots.run(() => fetchImage(url, fetchSignal, policy, budget));
      urls.set(url, pending);
    }
    return pending;
  };
  let inlinedBytes = 0;
  const inlineImage = async (p: ImagePart): Promise<ImagePart> => {
    const source = await fetchOnce(p.source.kind === 'url' ? p.source.url : '');
    if (source.kind === 'base64') {
      inlinedBytes += source.data.length;
      if (inlinedBytes > (MAX_IMAGE_BYTES / 3) * 4 + 4) {
        throw new GatewayError('invalid_request', `The request's images together exceed ${MAX_IMAGE_BYTES} bytes.`, { param: 'messages' });
      }
    }
    return { ...p, source };
  };
  const inlinePart = async (part: ContentPart): Promise<ContentPart> => {
    if (isFetched(part)) return inlineImage(part);
    if (part.type === 'tool-result' && part.content.some(isFetched)) {
      const content = await Promise.all(part.content.map((p) => (isFetched(p) ? inlineImage(p) : p)));
      return { ...part, content };
    }
    return part;
  };
  try {
    const messages = await Promise.all(
      req.messages.map(async (m) => {
        if (!m.content.some((p) => p.type === 'image' || p.type === 'tool-result')) return m;
        return { ...m, content: await Promise.all(m.content.map(inlinePart)) };
      }),
    );
    return { ...req, messages };
  } catch (error) {
    // The first failure decides the answer: the other fetches are not worth finishing.
    local.abort();
    for (const pending of urls.values()) pending.catch(() => undefined);
    throw error;
  }
}

/** At most `size` tasks at once, the rest queued in order. */
class Slots {
  #free: number;
  readonly #queue: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      if (next !== undefined) next();
      else this.#free++;
    }
  }
}
