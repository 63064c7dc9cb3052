import { createRequire } from 'node:module';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type * as Yaml from 'yaml';

/** The YAML parser, loaded for a YAML config only: a JSON-configured gateway does not carry its ~3 MB. */
let yaml: typeof Yaml | undefined;
function loadYaml(): typeof Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml;
}

export type ParseTextResult = { ok: true; value: unknown } | { ok: false; errors: string[] };

/** YAML for .yaml/.yml, JSONC for .json/.jsonc (OpenAICompatible's config.json carries comments). */
export function parseConfigText(text: string, fileName: string): ParseTextResult {
  if (/\.ya?ml$/i.test(fileName)) {
    try {
      return { ok: true, value: loadYaml().parse(text, { prettyErrors: true }) ?? {} };
    } catch (error) {
      return { ok: false, errors: [`${fileName}: invalid YAML: ${(error as Error).message.split('\n')[0]}`] };
    }
  }
  // Plain JSON, most files and every generated one, goes through the engine's parser: several times
  // faster on a big file, and its strings are copies, where the JSONC parser's are slices of the
  // file's text that keep all of it alive as long as the config lives (megabytes with 10,000 keys).
  // A file with comments or trailing commas, or one that is not JSON at all, is left to JSONC.
  try {
    return { ok: true, value: JSON.parse(text) ?? {} };
  } catch {
    // JSONC below, which also words the errors.
  }
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    return {
      ok: false,
      errors: errors.map((e) => {
        const { line, column } = lineColumn(text, e.offset);
        return `${fileName}:${line}:${column}: invalid JSON: ${printParseErrorCode(e.error)}`;
      }),
    };
  }
  return { ok: true, value: value ?? {} };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}
