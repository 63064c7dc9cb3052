import type { ChatRequest } from '../../core/chat.ts';

/**
 * What a Responses answer needs from its request that the canonical model does not carry: which
 * tool names were flattened from namespaces or stand for freeform tools, whether the client wants
 * reasoning state back, and the request fields a Response object echoes.
 */
export interface ResponsesRequestInfo {
  /** Flattened tool name → the namespace and the tool's own name. */
  namespaced: Map<string, { namespace: string; name: string }>;
  /** Names of `custom` (freeform) tools, shimmed as a function with one string argument. */
  custom: Set<string>;
  /** `include` has `reasoning.encrypted_content`. */
  includeEncrypted: boolean;
  /** Request fields echoed on the Response object. */
  echo: Record<string, unknown>;
  /** Request fields dropped because the target cannot honour them (`tools.web_search`, `tool_choice`). */
  dropped: string[];
}

const infos = new WeakMap<ChatRequest, ResponsesRequestInfo>();

export function setRequestInfo(req: ChatRequest, info: ResponsesRequestInfo): void {
  infos.set(req, info);
}

export function requestInfo(req: ChatRequest | undefined): ResponsesRequestInfo | undefined {
  return req === undefined ? undefined : infos.get(req);
}

export function emptyRequestInfo(): ResponsesRequestInfo {
  return { namespaced: new Map(), custom: new Set(), includeEncrypted: false, echo: {}, dropped: [] };
}
