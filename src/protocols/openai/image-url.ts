import type { ImageSource } from '../../core/chat.ts';

/**
 * OpenAI carries every image as `image_url.url`: an http(s) URL or a `data:<mime>;base64,<data>` URL.
 * Returns undefined for anything else (a malformed data URL, another scheme).
 * @see https://platform.openai.com/docs/guides/images-vision#giving-a-model-images-as-input
 */
export function decodeOpenAIImageUrl(url: string): ImageSource | undefined {
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    if (comma === -1) return undefined;
    const meta = url.slice(5, comma);
    if (!meta.endsWith(';base64')) return undefined;
    const mediaType = meta.slice(0, -';base64'.length);
    const data = url.slice(comma + 1);
    if (mediaType === '' || data === '') return undefined;
    return { kind: 'base64', mediaType, data };
  }
  if (/^https?:\/\//i.test(url)) return { kind: 'url', url };
  return undefined;
}

export function encodeOpenAIImageUrl(source: ImageSource): string {
  return source.kind === 'url' ? source.url : `data:${source.mediaType};base64,${source.data}`;
}
