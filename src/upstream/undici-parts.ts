import { createRequire } from 'node:module';
import type { Pool as UndiciPool, errors as UndiciErrors } from 'undici';

/**
 * The two parts of undici the proxy path uses, loaded from their own files. undici's entry point
 * also loads fetch, WebSocket, EventSource, its caches and its mocks: about 5 MB of resident
 * memory in an idle gateway that would never run them (measured beside llmux's other
 * dependencies). undici publishes no exports map, so these paths are reachable; the test beside
 * this file checks they are the same classes the entry point exports.
 */
const require = createRequire(import.meta.url);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
export type Pool = UndiciPool;
export const undiciErrors = require('undici/lib/core/errors.js') as typeof UndiciErrors;
