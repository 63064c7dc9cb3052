// Node strips TypeScript types with a WebAssembly compiler that, once loaded, stays resident
// (about 30 MB of RSS for the life of the process). Node's compile cache keeps the stripped
// output, keyed by each file's content, so a start with a warm cache never loads that compiler
// and also skips parsing. The cache lives with the installed dependencies, one folder per Node
// version, V8 flag set and user id; when it cannot be read or written Node just runs without it. NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE keep
// their usual meaning.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

export const cacheDir = fileURLToPath(new URL('../node_modules/.cache/llmux-compile', import.meta.url));

export function enableCompileCache() {
  module.enableCompileCache?.(cacheDir);
}

export function flushCompileCache() {
  module.flushCompileCache?.();
}
