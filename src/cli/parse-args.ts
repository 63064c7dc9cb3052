import { parseArgs } from 'node:util';
import type { AiproxyFlags } from '../config/dialects/go-aiproxy.ts';

export type Command = 'serve' | 'check' | 'models' | 'usage' | 'keys' | 'help' | 'version';

/** `llmux usage` and `llmux keys` options, as given (checked by the commands themselves). */
export interface LedgerArgs {
  /** keys: create | list | revoke, and its operand (a name or an id). */
  action?: string;
  operand?: string;
  since?: string;
  by?: string;
  models?: string;
  rpm?: string;
  tpm?: string;
  budget?: string;
  expires?: string;
}

export interface CliArgs {
  command: Command;
  config?: string;
  host?: string;
  port?: number;
  apiKeys: string[];
  logLevel?: string;
  workers?: number;
  /** Serve the built-in demo provider with a generated admin key (`--demo`). */
  demo?: boolean;
  /** Seed 001 (go-aiproxy) flags, present only when one was given. */
  aiproxy?: AiproxyFlags;
  ledger?: LedgerArgs;
}

export type ParseCliResult = { ok: true; args: CliArgs } | { ok: false; error: string };

const COMMANDS: readonly Command[] = ['serve', 'check', 'models', 'usage', 'keys', 'help', 'version'];

/** argv (without node and script) → CliArgs. Pure: reads nothing but its argument. */
export function parseCli(argv: readonly string[]): ParseCliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        'api-key': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        workers: { type: 'string' },
        demo: { type: 'boolean' },
        // go-aiproxy's flags; --host, --port, --api-key and --config are shared.
        'model-provider': { type: 'string', multiple: true },
        'openai-api-key': { type: 'string' },
        'openai-base-url': { type: 'string' },
        'claude-api-key': { type: 'string' },
        'claude-base-url': { type: 'string' },
        'gemini-api-key': { type: 'string' },
        'gemini-oauth-creds-file': { type: 'string' },
        'project-id': { type: 'string' },
        // llmux usage / llmux keys.
        since: { type: 'string' },
        by: { type: 'string' },
        models: { type: 'string' },
        rpm: { type: 'string' },
        tpm: { type: 'string' },
        budget: { type: 'string' },
        expires: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  const first = positionals[0] ?? 'serve';
  const maxPositionals = first === 'keys' ? 3 : 1;
  if (positionals.length > maxPositionals) return { ok: false, error: `unexpected argument "${positionals[maxPositionals]}"` };
  if (!COMMANDS.includes(first as Command)) return { ok: false, error: `unknown command "${first}" (commands: serve, check, models, usage, keys)` };
  const ledger: LedgerArgs = {};
  for (const name of ['since', 'by', 'models', 'rpm', 'tpm', 'budget', 'expires'] as const) {
    const v = values[name];
    if (v !== undefined) ledger[name] = v;
  }
  if (positionals[1] !== undefined) ledger.action = positionals[1];
  if (positionals[2] !== undefined) ledger.operand = positionals[2];
  if (Object.keys(ledger).length > 0 && first !== 'usage' && first !== 'keys') return { ok: false, error: `--${Object.keys(ledger)[0]}: only for "llmux usage" and "llmux keys"` };
  const args: CliArgs = { command: values.help === true ? 'help' : values.version === true ? 'version' : (first as Command), apiKeys: values['api-key'] ?? [] };
  if (values.config !== undefined) args.config = values.config;
  if (values.host !== undefined) args.host = values.host;
  if (values['log-level'] !== undefined) args.logLevel = values['log-level'];
  if (values.demo === true) {
    if (first !== 'serve') return { ok: false, error: `--demo: only for serving (got the command "${first}")` };
    // The demo's upstream and ledger live in one process; workers would each start their own.
    if (values.workers !== undefined) return { ok: false, error: '--demo runs in one process: drop --workers' };
    args.demo = true;
  }
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, error: `--port: must be a port number (got "${values.port}")` };
    args.port = port;
  }
  if (values.workers !== undefined) {
    const workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) return { ok: false, error: `--workers: must be a whole number from 1 (got "${values.workers}")` };
    args.workers = workers;
  }
  const aiproxy: AiproxyFlags = {};
  if (values['model-provider'] !== undefined) aiproxy.modelProviders = values['model-provider'];
  if (values['openai-api-key'] !== undefined) aiproxy.openaiApiKey = values['openai-api-key'];
  if (values['openai-base-url'] !== undefined) aiproxy.openaiBaseUrl = values['openai-base-url'];
  if (values['claude-api-key'] !== undefined) aiproxy.claudeApiKey = values['claude-api-key'];
  if (values['claude-base-url'] !== undefined) aiproxy.claudeBaseUrl = values['claude-base-url'];
  if (values['gemini-api-key'] !== undefined) aiproxy.geminiApiKey = values['gemini-api-key'];
  if (values['gemini-oauth-creds-file'] !== undefined) aiproxy.geminiOauthCredsFile = values['gemini-oauth-creds-file'];
  if (values['project-id'] !== undefined) aiproxy.projectId = values['project-id'];
  if (Object.keys(aiproxy).length > 0) args.aiproxy = aiproxy;
  if (Object.keys(ledger).length > 0) args.ledger = ledger;
  return { ok: true, args };
}

export const USAGE = `llmux — one OpenAI-compatible endpoint in front of every LLM provider

Usage:
  llmux [serve] [--config FILE] [--host H] [--port P] [--api-key K]... [--log-level L] [--workers N]
  llmux --demo  [--host H] [--port P]   a built-in demo provider, the ledger and the console: try it without a key
  llmux check   [--config FILE]   validate the config and print the routing table
  llmux models  [--config FILE]   print the public model list
  llmux usage   [--since 24h] [--by key|model|provider]   spend and tokens from the usage ledger
  llmux keys    create NAME [--models a,b] [--rpm N] [--tpm N] [--budget 50/month] [--expires 2027-01-01]
  llmux keys    list | revoke ID   virtual keys in the ledger (no running server needed)

Config discovery: --config, $LLMUX_CONFIG, then llmux.yaml|yml|jsonc|json or config.yaml|yml|jsonc|json
in the working directory; without a file, providers come from OPENAI_API_KEY, ANTHROPIC_API_KEY, ...

The config files of go-oai-gateway, go-aiproxy, OpenAICompatible and llm-relay are read as they are,
and so are go-aigateway's variables (TARGET_API_URL, ...) and go-aiproxy's flags:
  --model-provider openai-custom,claude-custom,gemini-cli,gemini-cli-oauth
  --openai-api-key K --openai-base-url URL --claude-api-key K --claude-base-url URL
  --gemini-api-key K --gemini-oauth-creds-file FILE --project-id ID
"llmux check" prints what such a config became in llmux's own schema.
`;
