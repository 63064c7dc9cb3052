import type { FastifyRequest } from 'fastify';
import { invalidRequest } from '../core/errors.ts';
import { rejectUncheckableJson } from './json-guard.ts';

/** The request body as a JSON object, or a 400 that says what is wrong with it. */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = request.body;
  if (!(raw instanceof Buffer) || raw.length === 0) throw invalidRequest('The request body is empty: expected a JSON object.');
  rejectUncheckableJson(raw);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) throw invalidRequest(`Missing required parameter: '${field}'.`, field);
  if (typeof v !== 'string' || v === '') throw invalidRequest(`Invalid type for '${field}': expected a non-empty string.`, field);
  return v;
}

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidRequest(`Invalid type for '${field}': expected a boolean.`, field);
  return v;
}
