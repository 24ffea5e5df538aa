// nginx `proxy_cache` in front of the upstream double, as the proxy bench's reference: found on
// the PATH (never installed from here), configured in the work folder, run in the foreground as
// a child process with one worker, and stopped at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { freePort } from '../free-port.js'

export const NGINX_MISSING = 'nginx missing: install it with apt-get install nginx-light'

/** The nginx binary (`which nginx`, also looking in the sbin folders a non-root PATH lacks), or null. */
export function findNginx (): string | null {
  const PATH = [process.env.PATH ?? '', '/usr/sbin', '/sbin', '/usr/local/sbin'].join(':')
  const r = spawnSync('which', ['nginx'], { encoding: 'utf8', env: { ...process.env, PATH } })
  const bin = r.status === 0 ? r.stdout.trim() : ''
  return bin === '' ? null : bin
}

/** `nginx/1.22.1`, from `nginx -v` (which prints to stderr). */
export function nginxVersion (bin: string): string {
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' })
  return /nginx\/\S+/.exec(`${r.stderr}${r.stdout}`)?.[0] ?? 'nginx (unknown version)'
}

/**
 * The configuration: one worker, everything (pid, logs, temp files, cache) under `dir`, the
 * cache keyed per URI and token (nginx's honest equivalent of the proxy's per-user keys) and
 * told to ignore Spotify's `max-age=0`/`private`, which would otherwise forbid caching at all.
 */
export function nginxConf (dir: string, port: number, upstream: string): string {
  const p = (name: string): string => path.join(dir, name)
  const up = new URL(upstream)
  return `# Written by bench/proxy.ts for one run; not a production configuration.
daemon off;
master_process on;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;\n' : ''}pid ${p('nginx.pid')};
error_log ${p('error.log')} warn;

events {
  worker_connections 1024;
}

http {
  access_log ${p('access.log')} combined buffer=64k flush=1s;
  # nginx closes a client connection after 1000 requests by default; Node servers never do, and
  # a request racing that close counts as a client error.
  keepalive_requests 10000000;
  client_body_temp_path ${p('tmp/body')};
  proxy_temp_path ${p('tmp/proxy')};
  fastcgi_temp_path ${p('tmp/fastcgi')};
  uwsgi_temp_path ${p('tmp/uwsgi')};
  scgi_temp_path ${p('tmp/scgi')};

  proxy_cache_path ${p('cache')} levels=1:2 keys_zone=spotify:10m max_size=256m inactive=1h use_temp_path=off;

  upstream spotify {
    server ${up.hostname}:${up.port};
    keepalive 32;
  }

  server {
    listen 127.0.0.1:${port};

    location / {
      proxy_pass http://spotify;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache spotify;
      proxy_cache_valid 200 1h;
      proxy_cache_key $request_uri$http_authorization;
      proxy_ignore_headers Cache-Control Set-Cookie Expires;
      # nginx's request coalescing: one miss per key goes upstream at a time.
      proxy_cache_lock on;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`
}

export interface Nginx {
  url: string
  pid: number
  stop: () => Promise<void>
}

/** Starts nginx with its configuration in `dir` (emptied first) and waits until it accepts connections. */
export async function startNginx (bin: string, dir: string, upstream: string): Promise<Nginx> {
  fs.rmSync(dir, { recursive: true, force: true })
  for (const sub of ['tmp', 'cache']) fs.mkdirSync(path.join(dir, sub), { recursive: true })
  const port = await freePort()
  const conf = path.join(dir, 'nginx.conf')
  fs.writeFileSync(conf, nginxConf(dir, port, upstream))
  const errorLog = path.join(dir, 'error.log')
  // `-e` moves the error log of the start-up phase too (before the config is read) off /var/log.
  const child = spawn(bin, ['-p', `${dir}/`, '-c', conf, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const pid = child.pid
  if (pid === undefined) throw new Error(`nginx did not start: ${stderr}`)
  watchdog(pid)
  const stop = async (): Promise<void> => await stopChild(child, exited)
  try {
    await waitForPort(port, child, () => `${stderr}${readIfExists(errorLog)}`)
  } catch (err) {
    await stop()
    throw err
  }
  return { url: `http://127.0.0.1:${port}`, pid, stop }
}

async function stopChild (child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM') // nginx: fast shutdown
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/**
 * nginx does not notice its parent dying, so a detached shell stops it if this process is
 * killed before it could (and ends as soon as nginx is gone).
 */
function watchdog (pid: number): void {
  const script = 'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -TERM "$1" 2>/dev/null'
  spawn('sh', ['-c', script, String(process.pid), String(pid)], { detached: true, stdio: 'ignore' }).unref()
}

async function waitForPort (port: number, child: ChildProcess, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nginx exited at start-up (${child.exitCode ?? child.signalCode}):\n${diagnostics()}`)
    const ok = await new Promise<boolean>(resolve => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10 s:\n${diagnostics()}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function readIfExists (file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
