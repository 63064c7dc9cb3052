import { pino } from 'pino';
import type { Writable } from 'node:stream';
import { FORMATS } from '../config/dialects/dialect.ts';
import { loadConfig } from '../config/load.ts';
import { Gateway } from '../gateway/gateway.ts';
import { formatCanonicalConfig } from './canonical-config.ts';
import type { CliArgs } from './parse-args.ts';
import { formatRoutingTable } from './routing-table.ts';

/**
 * `llmux check`: validate, show what another format's settings became, discover, print the
 * routing table; 1 with every error listed.
 */
export async function runCheck(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, out: Writable): Promise<number> {
  const loaded = loadConfig({ cli: args, env, cwd });
  if (!loaded.ok) {
    out.write(`config: ${loaded.source}\n${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  out.write(`config: ${loaded.source}\n`);
  out.write(`format: ${loaded.format === 'llmux' && loaded.translated ? "llmux, with go-oai-gateway's names" : FORMATS[loaded.format]}\n`);
  for (const w of loaded.warnings) out.write(`warning: ${w}\n`);
  if (loaded.translated) {
    // Shown before the gateway starts, so it is there even when a provider cannot be built.
    const yaml = formatCanonicalConfig(loaded.canonical).trimEnd().replace(/^/gm, '  ');
    out.write(`\nas llmux config (secrets redacted):\n${yaml}\n\n`);
  }
  const problems: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void problems.push(describeLog(line)) });
  let gateway: Gateway;
  try {
    gateway = await Gateway.start(loaded.config, logger, { ledger: false });
  } catch (error) {
    out.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    out.write(formatRoutingTable(loaded.config, gateway.state));
    for (const p of problems) out.write(`warning: ${p}\n`);
    out.write('config OK\n');
    return 0;
  } finally {
    await gateway.close();
  }
}

function describeLog(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; provider?: string; err?: string };
    return [entry.provider === undefined ? '' : `provider ${entry.provider}: `, entry.msg ?? '', entry.err === undefined ? '' : ` (${entry.err})`].join('');
  } catch {
    return line.trim();
  }
}
