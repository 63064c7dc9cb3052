import { invalidRequest } from '../core/errors.ts';
import { MAX_JSON_DEPTH, scanJson } from '../core/json-scan.ts';

/**
 * A 400 for a body llmux could not check faithfully: nested deeper than any real request, or with
 * a top-level key given twice. Duplicates are refused rather than re-serialised: no SDK sends
 * them, RFC 8259 leaves their meaning to each parser, and refusing keeps the pass-through path
 * forwarding the client's own bytes (never re-serialised) while the upstream reads exactly what
 * llmux checked.
 */
export function rejectUncheckableJson(raw: Buffer): void {
  const scan = scanJson(raw);
  if (scan.tooDeep) throw invalidRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  if (scan.duplicateKey !== undefined) throw invalidRequest(`The request body gives the key "${scan.duplicateKey}" more than once.`, scan.duplicateKey);
}
