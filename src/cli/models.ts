import { pino } from 'pino';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config/load.ts';
import { Gateway } from '../gateway/gateway.ts';
import type { CliArgs } from './parse-args.ts';

/** `llmux models`: the public model list as GET /v1/models would serve it, one id per line. */
export async function runModels(args: CliArgs, env: NodeJS.ProcessEnv, cwd: string, out: Writable): Promise<number> {
  const loaded = loadConfig({ cli: args, env, cwd });
  if (!loaded.ok) {
    out.write(`${loaded.errors.map((e) => `error: ${e}`).join('\n')}\n`);
    return 1;
  }
  const gateway = await Gateway.start(loaded.config, pino({ level: 'silent' }), { ledger: false });
  try {
    for (const m of gateway.state.catalog.publicModels()) out.write(`${m.id}\t${m.ownedBy}\n`);
    return 0;
  } finally {
    await gateway.close();
  }
}
