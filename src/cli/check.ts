import { pino } from 'pino';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config/load.ts';
import { Gateway } from '../gateway/gateway.ts';
import type { CliArgs } from './parse-args.ts';
import { formatRoutingTable } from './routing-table.ts';

/** `llmux check`: validate, discover, print the routing table; 1 with every error listed. */
export async function runCheck(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, out: Writable): Promise<number> {
  const loaded = loadConfig({ cli: args, env, cwd });
  if (!loaded.ok) {
    out.write(`config: ${loaded.source}\n${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  const problems: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void problems.push(describeLog(line)) });
  const gateway = await Gateway.start(loaded.config, logger);
  try {
    out.write(`config: ${loaded.source}\n`);
    for (const w of loaded.warnings) out.write(`warning: ${w}\n`);
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
