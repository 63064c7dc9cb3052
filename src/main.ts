import cluster from 'node:cluster';
import { runCheck } from './cli/check.ts';
import { runPrimary } from './cli/cluster.ts';
import { runModels } from './cli/models.ts';
import { parseCli, USAGE } from './cli/parse-args.ts';
import { runServe } from './cli/serve.ts';

/** argv → command. The only file that calls process.exit. */
const parsed = parseCli(process.argv.slice(2));
if (!parsed.ok) {
  process.stderr.write(`llmux: ${parsed.error}\n\n${USAGE}`);
  process.exit(2);
}
const { args } = parsed;
// npm runs scripts from the package folder; INIT_CWD is where the user typed the command.
const cwd = process.env['INIT_CWD'] ?? process.cwd();
const env = process.env;

switch (args.command) {
  case 'help':
    process.stdout.write(USAGE);
    break;
  case 'version':
    process.stdout.write('llmux 0.1.0\n');
    break;
  case 'check':
    process.exit(await runCheck(args, env, cwd, process.stdout));
    break;
  case 'models':
    process.exit(await runModels(args, env, cwd, process.stdout));
    break;
  case 'serve': {
    const workers = args.workers ?? 1;
    const code = workers > 1 && cluster.isPrimary ? await runPrimary(args, env, cwd, workers) : await runServe(args, env, cwd);
    if (code !== undefined) process.exit(code);
    break;
  }
}
