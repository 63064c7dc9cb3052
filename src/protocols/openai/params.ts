import { invalidRequest } from '../../core/errors.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';

// Field readers shared by the chat and legacy completions request decoders; each error names its field.

/**
 * Whether a field the gateway cannot convert actually asks for something: a falsy or empty value
 * (`logprobs: false`, `logit_bias: {}`, `modalities: ["text"]`) does not and is accepted.
 */
export function isActive(field: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (field === 'modalities' && Array.isArray(value)) return value.some((m) => m !== 'text');
  if (field === 'top_logprobs' && value === 0) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

export function optionalBoolean(obj: JsonObject, key: string, path: string = key): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${path} must be a boolean`, path);
  return value;
}

export function optionalString(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isString(value)) throw invalidRequest(`${key} must be a string`, key);
  return value;
}

export function optionalNumber(obj: JsonObject, key: string, min: number, max: number): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isFiniteNumber(value) || value < min || value > max) {
    throw invalidRequest(`${key} must be a number between ${min} and ${max}`, key);
  }
  return value;
}

export function optionalInteger(obj: JsonObject, key: string, min: number): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalidRequest(`${key} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}`, key);
  }
  return value;
}

export function decodeStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (isString(value)) return value === '' ? undefined : [value];
  if (!Array.isArray(value) || !value.every(isString)) {
    throw invalidRequest('stop must be a string or an array of strings', 'stop');
  }
  const stop = value.filter((s) => s !== '');
  return stop.length > 0 ? stop : undefined;
}

