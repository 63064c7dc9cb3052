import type { ChatRequest, ContentPart, ImagePart } from '../core/chat.ts';
import { fetchImage } from '../upstream/fetch-image.ts';

/**
 * Replaces every http(s) image URL in the request with the image's bytes, for providers (Gemini)
 * that cannot fetch a URL themselves. The request is copied, never changed in place: another
 * target of the same request may take URLs.
 */
export async function inlineImageUrls(req: ChatRequest, signal: AbortSignal): Promise<ChatRequest> {
  const urls = new Map<string, Promise<ImagePart['source']>>();
  const fetchOnce = (url: string): Promise<ImagePart['source']> => {
    let pending = urls.get(url);
    if (pending === undefined) {
      pending = fetchImage(url, signal);
      urls.set(url, pending);
    }
    return pending;
  };
  const inlinePart = async (part: ContentPart): Promise<ContentPart> => {
    if (part.type === 'image' && part.source.kind === 'url' && /^https?:\/\//i.test(part.source.url)) {
      return { ...part, source: await fetchOnce(part.source.url) };
    }
    if (part.type === 'tool-result' && part.content.some((p) => p.type === 'image' && p.source.kind === 'url')) {
      const content = await Promise.all(part.content.map(async (p) => (p.type === 'image' && p.source.kind === 'url' ? { ...p, source: await fetchOnce(p.source.url) } : p)));
      return { ...part, content };
    }
    return part;
  };
  let touched = false;
  const messages = await Promise.all(
    req.messages.map(async (m) => {
      if (!m.content.some((p) => p.type === 'image' || p.type === 'tool-result')) return m;
      const content = await Promise.all(m.content.map(inlinePart));
      touched ||= content.some((p, i) => p !== m.content[i]);
      return { ...m, content };
    }),
  );
  return touched ? { ...req, messages } : req;
}
