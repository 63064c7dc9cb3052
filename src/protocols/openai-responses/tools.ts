import type { ChatRequest, ToolChoice, ToolSpec } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { isObject, isString } from '../../core/json.ts';
import type { ResponsesRequestInfo } from './request-info.ts';

/** Tool types run by OpenAI's servers: only a Responses-speaking OpenAI upstream can honour them. */
export const HOSTED_TOOL_TYPES = new Set([
  'web_search',
  'web_search_preview',
  'web_search_2025_08_26',
  'web_search_preview_2025_03_11',
  'file_search',
  'code_interpreter',
  'image_generation',
  'mcp',
  'local_shell',
  'shell',
  'apply_patch',
  'computer',
  'computer_use',
  'computer_use_preview',
  'tool_search',
  'programmatic_tool_calling',
]);
/** The schema a freeform tool is shimmed as where the target has no grammar: one string argument. */
export const CUSTOM_TOOL_PARAMETERS: Readonly<Record<string, unknown>> = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw text input of this freeform tool.' } },
  required: ['input'],
  additionalProperties: false,
};
export function flatName(namespace: string, name: string): string {
  return namespace.endsWith('_') || namespace.endsWith('.') ? `${namespace}${name}` : `${namespace}__${name}`;
}

export function decodeTools(list: unknown[], info: ResponsesRequestInfo, hosted: 'drop' | 'reject'): ToolSpec[] {
  const tools = new Map<string, ToolSpec>();
  const add = (raw: unknown, namespace: string | undefined, path: string): void => {
    if (!isObject(raw)) throw invalidRequest(`${path} must be an object`, path);
    const type = raw['type'];
    const name = raw['name'];
    if (type === 'namespace') {
      if (!isString(name) || !Array.isArray(raw['tools'])) throw invalidRequest(`${path} needs a name and tools`, path);
      raw['tools'].forEach((t, i) => add(t, name, `${path}.tools[${i}]`));
      return;
    }
    if (type === 'function' || type === 'custom') {
      if (!isString(name) || name === '') throw invalidRequest(`${path}.name is required`, `${path}.name`);
      const flat = namespace === undefined ? name : flatName(namespace, name);
      if (namespace !== undefined) info.namespaced.set(flat, { namespace, name });
      const description = isString(raw['description']) ? raw['description'] : undefined;
      let spec: ToolSpec;
      if (type === 'custom') {
        info.custom.add(flat);
        const format = raw['format'];
        const grammar = isObject(format) && isString(format['definition']) ? `\nThe input must follow this ${isString(format['syntax']) ? format['syntax'] : ''} grammar:\n${format['definition']}` : '';
        spec = { name: flat, parameters: { ...CUSTOM_TOOL_PARAMETERS } };
        const text = `${description ?? ''}${grammar}`.trim();
        if (text !== '') spec.description = text;
      } else {
        const parameters = isObject(raw['parameters']) ? raw['parameters'] : { type: 'object', properties: {} };
        spec = { name: flat, parameters };
        if (description !== undefined) spec.description = description;
        if (raw['strict'] === true) spec.strict = true;
      }
      tools.set(flat, spec);
      return;
    }
    const label = isString(type) ? type : 'unknown';
    if (hosted === 'reject') throw unsupported('tools', `The hosted tool "${label}" runs only on OpenAI's Responses API, and this model is served by another provider.`);
    if (!info.dropped.includes(`tools.${label}`)) info.dropped.push(`tools.${label}`);
  };
  list.forEach((t, i) => add(t, undefined, `tools[${i}]`));
  return [...tools.values()];
}

export function decodeToolChoice(value: unknown, req: ChatRequest, info: ResponsesRequestInfo): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (!isObject(value)) throw invalidRequest('tool_choice must be "auto", "none", "required" or an object', 'tool_choice');
  const type = value['type'];
  if ((type === 'function' || type === 'custom') && isString(value['name'])) {
    const name = value['name'];
    const ns = value['namespace'];
    return { type: 'tool', name: isString(ns) ? flatName(ns, name) : name };
  }
  if (type === 'allowed_tools') {
    const allowed = Array.isArray(value['tools']) ? value['tools'] : [];
    const names = new Set(allowed.map((t) => (isObject(t) && isString(t['name']) ? t['name'] : '')));
    if (req.tools !== undefined) req.tools = req.tools.filter((t) => names.has(t.name) || names.has(info.namespaced.get(t.name)?.name ?? ''));
    return { type: value['mode'] === 'required' ? 'required' : 'auto' };
  }
  // A hosted tool forced on a target that has none: the model chooses among the tools it has.
  info.dropped.push('tool_choice');
  return { type: 'auto' };
}

