import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Agent } from 'undici';
import type { ImageSource } from '../core/chat.ts';
import { GatewayError } from '../core/errors.ts';
import { refusedAddress } from './address-check.ts';

/** An image fetched for a provider that only takes inline data is capped at 20 MB. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const FETCH_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;

const BY_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif' };

/** Where image fetches may go: the `images` section of the config, compiled. */
export interface ImagePolicy {
  readonly fetch: boolean;
  /** Hosts fetched whatever address they resolve to (an internal image server the admin trusts); given lower-case, without brackets. */
  allowsHost(host: string): boolean;
  /** true: no address check at all (tests, a gateway inside a trusted network). */
  readonly allowPrivate: boolean;
}

export const DEFAULT_IMAGE_POLICY: ImagePolicy = { fetch: true, allowsHost: () => false, allowPrivate: false };

/** The address check failed: the message names the host and why, never anything about ports. */
class RefusedHost extends Error {
  readonly host: string;
  constructor(host: string, why: string) {
    super(`the host "${host}" ${why}`);
    this.host = host;
  }
}

const bare = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** Resolves `host` and returns the one address to connect to, or throws RefusedHost. */
async function checkedAddress(host: string): Promise<{ address: string; family: number }> {
  const name = bare(host);
  if (isIP(name) !== 0) {
    const why = refusedAddress(name);
    if (why !== undefined) throw new RefusedHost(name, `is ${why}`);
    return { address: name, family: isIP(name) };
  }
  let all;
  try {
    all = await lookup(name, { all: true, verbatim: true });
  } catch {
    throw new RefusedHost(name, 'could not be resolved');
  }
  // Every address must be public: a name that resolves to one public and one private address would
  // otherwise reach the private one whenever the first connect fails.
  for (const a of all) {
    const why = refusedAddress(a.address);
    if (why !== undefined) throw new RefusedHost(name, `resolves to ${why}`);
  }
  const first = all[0];
  if (first === undefined) throw new RefusedHost(name, 'could not be resolved');
  return first;
}

type Undici = typeof import('undici');

/**
 * The connector checks the address it is about to connect to and connects to exactly that
 * address (the name stays the TLS server name), so neither a redirect nor a DNS answer that
 * changes between check and connect can reach a refused address.
 */
function checkingAgent(u: Undici): Agent {
  const base = u.buildConnector({ timeout: FETCH_TIMEOUT_MS });
  return new u.Agent({
    connections: 8,
    connect: (opts, callback) => {
      const host = bare(opts.hostname);
      checkedAddress(host).then(
        ({ address }) => base({ ...opts, hostname: address, servername: isIP(host) === 0 ? host : undefined }, callback),
        (error: Error) => callback(error, null),
      );
    },
  });
}

interface Fetcher {
  request: Undici['request'];
  checking: Agent;
  open: Agent;
}

/** undici's whole entry point, loaded on the first image fetch: the proxy path never needs it (see undici-parts.ts). */
let fetcher: Promise<Fetcher> | undefined;
function loadFetcher(): Promise<Fetcher> {
  fetcher ??= import('undici').then((u) => ({ request: u.request, checking: checkingAgent(u), open: new u.Agent({ connections: 8, connect: { timeout: FETCH_TIMEOUT_MS } }) }));
  return fetcher;
}

function dispatcherFor(f: Fetcher, policy: ImagePolicy, url: URL): Agent {
  if (policy.allowPrivate || policy.allowsHost(bare(url.hostname).toLowerCase())) return f.open;
  return f.checking;
}

/** What one request may still spend on images; shared by every image of the request. */
export interface ImageBudget {
  bytesLeft: number;
}

/**
 * Downloads an image a client referenced by URL, as base64: http(s) only, the address checked on
 * every hop (at most 3 redirects, followed here so each is checked), image content types only,
 * within the per-image and per-request byte caps and the time limit. Every failure is a 400; the
 * message never says whether a connection was refused or answered, so it cannot map ports.
 */
export async function fetchImage(url: string, signal: AbortSignal, policy: ImagePolicy = DEFAULT_IMAGE_POLICY, budget: ImageBudget = { bytesLeft: MAX_IMAGE_BYTES }): Promise<ImageSource> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new GatewayError('invalid_request', 'An image URL is not a valid URL.', { param: 'messages' });
  }
  const origin = target.host;
  const fail = (why: string): GatewayError => new GatewayError('invalid_request', `Could not fetch the image from ${origin}: ${why}.`, { param: 'messages' });
  if (!policy.fetch) throw fail('image URLs are not fetched by this gateway (send the image inline)');
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]);
  const unavailable = 'it did not answer with an image';
  const f = await loadFetcher();
  try {
    for (let hop = 0; ; hop++) {
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw fail('only http and https URLs are fetched');
      const res = await f.request(target, { method: 'GET', signal: deadline, headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS, dispatcher: dispatcherFor(f, policy, target), headers: { accept: 'image/*' } });
      if (res.statusCode >= 300 && res.statusCode < 400) {
        await res.body.dump();
        const location = res.headers['location'];
        if (typeof location !== 'string' || hop >= MAX_REDIRECTS) throw fail(typeof location === 'string' ? `more than ${MAX_REDIRECTS} redirects` : unavailable);
        target = new URL(location, target);
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw fail(unavailable);
      }
      const header = res.headers['content-type'];
      const type = typeof header === 'string' ? header.split(';')[0]?.trim().toLowerCase() : undefined;
      const ext = /\.([a-z0-9]+)$/i.exec(target.pathname)?.[1]?.toLowerCase();
      const byExt = ext !== undefined && Object.hasOwn(BY_EXTENSION, ext) ? BY_EXTENSION[ext] : undefined;
      // The bytes go to a model that can read them back to the client: only what says it is an image.
      const mediaType = type !== undefined && type.startsWith('image/') ? type : (type === undefined || type === 'application/octet-stream') && byExt !== undefined ? byExt : undefined;
      if (mediaType === undefined) {
        res.body.destroy();
        throw fail('it is not an image');
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > Math.min(MAX_IMAGE_BYTES, budget.bytesLeft)) {
        res.body.destroy();
        throw fail(tooLarge(declared > MAX_IMAGE_BYTES));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const n = (chunk as Buffer).length;
        size += n;
        // Taken from the shared budget as it arrives, so images fetched side by side cannot each
        // fill a whole budget before any of them is counted.
        budget.bytesLeft -= n;
        if (size > MAX_IMAGE_BYTES || budget.bytesLeft < 0) {
          res.body.destroy();
          throw fail(tooLarge(size > MAX_IMAGE_BYTES));
        }
        chunks.push(chunk as Buffer);
      }
      return { kind: 'base64', mediaType, data: Buffer.concat(chunks, size).toString('base64') };
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (error instanceof RefusedHost) {
      throw new GatewayError('invalid_request', `The image URL's host "${error.host}" is not allowed: ${error.message}.`, { param: 'messages' });
    }
    if (signal.aborted) throw error;
    if (deadline.aborted || (error as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT' || (error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT') {
      throw fail(`it took longer than ${FETCH_TIMEOUT_MS / 1000} s`);
    }
    throw fail(unavailable);
  }
}

function tooLarge(alone: boolean): string {
  return alone ? `it is larger than ${MAX_IMAGE_BYTES} bytes` : `the request's images together exceed ${MAX_IMAGE_BYTES} bytes`;
}
