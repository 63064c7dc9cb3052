/** One HTTP call to an upstream, relative to the provider's origin. */
export interface UpstreamCall {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}
