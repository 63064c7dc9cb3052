import type { ProviderConfig } from '../config/schema.ts';
import { secretSpellings } from '../core/secret-spellings.ts';

/** Things that look like credentials in an upstream's message: OpenAI/Anthropic keys, Google keys and tokens. */
const KEY_SHAPES = /\b(?:sk-|sk_|AIza|ya29\.)[\w.-]{6,}/g;

/** A key's first characters are enough to look for: a prefix echoed in an error is a leak too. */
const PREFIX = 12;

/**
 * A provider's credentials as they could appear in an upstream's answer: each key's prefix, in
 * every spelling an encoder may use (raw, `\/`, `\u002b`, percent-encoded). Built once per provider.
 */
export function secretNeedles(config: ProviderConfig): Buffer[] {
  const keys = config.api_keys ?? (config.api_key === undefined ? [] : [config.api_key]);
  // The web-token providers (CodeGeeX, Qwen) carry their credential as `token`.
  const all = typeof config.token === 'string' ? [...keys, config.token] : keys;
  const out = new Set<string>();
  for (const key of all) {
    if (key.length < 6) continue;
    // The prefix, in each spelling: what follows it is redacted up to the next delimiter.
    for (const spelling of secretSpellings(key.slice(0, PREFIX))) out.add(spelling);
  }
  return [...out].map((s) => Buffer.from(s));
}

export function leaksSecret(bytes: Buffer, needles: readonly Buffer[]): boolean {
  for (const n of needles) if (bytes.includes(n)) return true;
  return false;
}

/** Provider keys never reach a client, even when an upstream echoes them, whole or in part. */
export function redactSecrets(text: string, needles: readonly Buffer[]): string {
  let out = text;
  for (const n of needles) {
    const head = n.toString('utf8');
    // The key's prefix and whatever key characters follow it.
    out = out.replace(new RegExp(`${escapeRegExp(head)}[^\\s"',;]*`, 'g'), '[redacted]');
  }
  return out.replace(KEY_SHAPES, '[redacted]');
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
