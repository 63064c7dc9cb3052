import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, waitUntil, type Proc } from '../lib/proc.ts';

export interface Mock {
  /** Base URL without a path, e.g. http://127.0.0.1:41234 */
  url: string;
  /** 'nginx-lua' or 'node' (the fallback). */
  kind: string;
  proc: Proc;
}

const MODULES = '/usr/lib/nginx/modules';
export const NGINX_LUA_FILES = ['/usr/sbin/nginx', `${MODULES}/ndk_http_module.so`, `${MODULES}/ngx_http_lua_module.so`];

export function nginxLuaAvailable(): boolean {
  return NGINX_LUA_FILES.every((f) => existsSync(f));
}

/**
 * nginx with its Lua module answers from memory (mock.lua), in one worker: the mock then takes
 * at most one of the two cores, and at the proxies' rates it idles most of the time.
 */
export async function startNginxMock(workDir: string): Promise<Mock> {
  const dir = join(workDir, 'nginx');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const lua = new URL('./mock.lua', import.meta.url).pathname;
  const conf = `
load_module ${MODULES}/ndk_http_module.so;
load_module ${MODULES}/ngx_http_lua_module.so;
worker_processes 1;
worker_rlimit_nofile 20000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log error;
events { worker_connections 16000; multi_accept on; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_buffer_size 1m;
  client_max_body_size 1m;
  client_body_temp_path ${dir}/tmp;
  proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp;
  scgi_temp_path ${dir}/tmp;
  lua_socket_log_errors off;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { content_by_lua_file ${lua}; }
  }
}
`;
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const proc = startProcess('mock (nginx-lua)', '/usr/sbin/nginx', ['-p', dir, '-c', file, '-e', join(dir, 'error.log'), '-g', 'daemon off;']);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('nginx mock', async () => (await fetch(`${url}/v1/models`)).ok, 10_000, proc);
  return { url, kind: 'nginx-lua', proc };
}

/** The fallback: the same answers from one Node process (bench/mock/node-mock.ts). */
export async function startNodeMock(): Promise<Mock> {
  const port = await freePort();
  const script = new URL('./node-mock.ts', import.meta.url).pathname;
  const proc = startProcess('mock (node)', process.execPath, [script, String(port)]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('node mock', async () => (await fetch(`${url}/v1/models`)).ok, 10_000, proc);
  return { url, kind: 'node', proc };
}
