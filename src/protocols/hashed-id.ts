import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from text. Converters stay pure (no clock, no randomness), yet the
 * web-token APIs want an id on every history entry; the same turn always gets the same id.
 */
export function hashedUuid(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
