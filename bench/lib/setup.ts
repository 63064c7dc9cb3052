import { existsSync } from 'node:fs';
import { run } from './proc.ts';

export type Say = (line: string) => void;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function installed(pkg: string): Promise<boolean> {
  const r = await run('dpkg-query', ['-W', '-f=${Status}', pkg], 10_000);
  return r.code === 0 && r.stdout.includes('install ok installed');
}

/**
 * Makes sure Debian packages are present: installs the missing ones with apt-get when allowed
 * and running as root (running `apt-get update` once if a package is not found). Never part of
 * `npm ci` or `npm test`: only `npm run bench` calls this. Returns why it could not, or undefined.
 */
export async function ensureDebianPackages(pkgs: string[], allowInstall: boolean, say: Say): Promise<string | undefined> {
  if (!existsSync('/usr/bin/dpkg-query')) return `not a Debian system: install ${pkgs.join(', ')} by hand`;
  const missing: string[] = [];
  for (const p of pkgs) if (!(await installed(p))) missing.push(p);
  if (missing.length === 0) return undefined;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!allowInstall) return `missing Debian packages ${missing.join(', ')} (install them with: ${command}; a full \`npm run bench\` does it when run as root)`;
  if (!isRoot()) return `missing Debian packages ${missing.join(', ')}; run as root: ${command}`;
  say(`installing Debian packages: ${missing.join(' ')} (one time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], 300_000, { env });
  if (r.code !== 0 && /Unable to locate package|has no installation candidate/.test(r.stderr + r.stdout)) {
    say('  package lists are stale: apt-get update');
    await run('apt-get', ['update'], 300_000, { env });
    r = await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], 300_000, { env });
  }
  if (r.code !== 0) return `apt-get install ${missing.join(' ')} failed${r.timedOut ? ' (timed out)' : ''}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  for (const p of missing) if (!(await installed(p))) return `${p} still missing after apt-get install`;
  return undefined;
}
