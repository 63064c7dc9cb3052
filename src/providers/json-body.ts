/**
 * Adds fields an adapter owns (a discovered project, identity fields, a chat id) to a converted
 * request body. A field the body already has wins: a `model_rules` entry that set it meant it.
 */
export function withDefaults(body: string | Buffer, fields: Record<string, unknown>): string {
  const parsed: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('a converted request body must be a JSON object');
  return JSON.stringify({ ...fields, ...(parsed as Record<string, unknown>) });
}
