import { invalidRequest } from '../core/errors.ts';

/**
 * A model name a client sent, checked before anything builds a URL or a lookup from it: a lone
 * UTF-16 surrogate cannot be percent-encoded (encodeURIComponent throws), and an error thrown that
 * late would look like the provider's failure instead of the client's.
 */
export function checkModelName(model: string, param = 'model'): string {
  if (!model.isWellFormed()) throw invalidRequest(`'${param}' is not well-formed Unicode (it holds a lone surrogate).`, param);
  return model;
}
