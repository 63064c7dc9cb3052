import cluster from 'node:cluster';
import { parseCli, USAGE } from './cli/parse-args.ts';

/**
 * argv → command, and the command's exit code (the serve and cluster commands exit on their signals
 * themselves). Commands are imported when chosen: the
 * server must not carry what only `check` and `models` need (the config validator among them).
 */
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
  case 'check': {
    const { runCheck } = await import('./cli/check.ts');
    process.exit(await runCheck(args, env, cwd, process.stdout));
    break;
  }
  case 'models': {
    const { runModels } = await import('./cli/models.ts');
    process.exit(await runModels(args, env, cwd, process.stdout));
    break;
  }
  case 'usage': {
    const { runUsage } = await import('./cli/usage.ts');
    process.exit(await runUsage(args, env, cwd, process.stdout));
    break;
  }
  case 'keys': {
    const { runKeys } = await import('./cli/keys.ts');
    process.exit(await runKeys(args, env, cwd, process.stdout));
    break;
  }
  case 'serve': {
    if (args.demo === true) {
      const code = await (await import('./cli/demo.ts')).runDemo(args, env, cwd);
      if (code !== undefined) process.exit(code);
      break;
    }
    const workers = args.workers ?? 1;
    const code =
      workers > 1 && cluster.isPrimary
        ? await (await import('./cli/cluster.ts')).runPrimary(args, env, cwd, workers)
        : await (await import('./cli/serve.ts')).runServe(args, env, cwd);
    if (code !== undefined) process.exit(code);
    break;
  }
}
