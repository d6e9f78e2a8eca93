// Starts what the browser tests run against: a throwaway redis-server, two gateway nodes (node-a,
// node-b; the packaged jar, or the native executable named by SWITCHBOARD_NATIVE_EXECUTABLE) forming
// one cluster through it, and the origin the demo page is loaded from. Everything is stopped by
// stop() (call it in `after`), and killed on process exit.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../../../..');
export const OUT_DIR = path.join(REPO, 'target', 'browser');   // screenshots and node logs

/** The packaged app: SWITCHBOARD_APP_DIR (relative to src/test/browser), else target/quarkus-app. */
export const APP_DIR = path.resolve(HERE, '..', process.env.SWITCHBOARD_APP_DIR ?? '../../../target/quarkus-app');
/**
 * The native executable to run the nodes from instead of the jar (.ci/native sets it), relative to
 * src/test/browser; its lib/ folder must sit beside it.
 */
export const NATIVE_EXECUTABLE = process.env.SWITCHBOARD_NATIVE_EXECUTABLE
  ? path.resolve(HERE, '..', process.env.SWITCHBOARD_NATIVE_EXECUTABLE) : null;

// Where the demo page is loaded from: 'static' = a small server started below that serves the page
// and the client straight from src/main/resources (same paths as the gateway: /, /demo/*, /client/*);
// 'gateway' = node-a itself (its jar must contain the demo and run with switchboard.demo.enabled).
// The one line to switch (or set SWITCHBOARD_PAGE_FROM=gateway):
const PAGE_FROM = process.env.SWITCHBOARD_PAGE_FROM ?? 'gateway';

export const SECRET = 'browser-tests-hs256-secret-0123456789abcd';   // 40 characters
const RESOURCES = path.join(REPO, 'src', 'main', 'resources');
const STARTUP_TIMEOUT_MS = 60_000;

const children = new Set();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** An HS256 JWT for the cluster's secret. */
export function mintToken({ sub, roles = ['user'], ttl = 3600, now = Math.floor(Date.now() / 1000) }) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, groups: roles, iat: now, exp: now + ttl })}`;
  return `${body}.${crypto.createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

function start(name, command, args) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const logFile = path.join(OUT_DIR, `${name}.log`);
  const log = fs.createWriteStream(logFile);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.logFile = logFile;
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  child.once('error', (error) => log.write(`spawn failed: ${error.message}\n`));
  children.add(child);
  return child;
}

async function waitFor(what, child, probe) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exited = null;
  child.exited.then((result) => { exited = result; });
  while (Date.now() < deadline) {
    if (exited) {
      const tail = fs.readFileSync(child.logFile, 'utf8').slice(-3000);
      throw new Error(`${what} exited (${exited.code ?? exited.signal}) while starting; log ${child.logFile}:\n${tail}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} not ready within ${STARTUP_TIMEOUT_MS} ms; log ${child.logFile}`);
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
    socket.once('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('+PONG')); });
    socket.once('error', () => resolve(false));
  });
}

async function httpOk(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.status === 200;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

/** Serves the demo and the client from the sources, at the paths the gateway uses. */
export async function startStaticServer() {
  const roots = { '/demo/': path.join(RESOURCES, 'demo'), '/client/': path.join(RESOURCES, 'META-INF', 'resources', 'client') };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    const file = pathname === '/' ? path.join(roots['/demo/'], 'index.html')
      : Object.entries(roots).map(([prefix, dir]) => pathname.startsWith(prefix)
          && [dir, path.join(dir, decodeURIComponent(pathname.slice(prefix.length)))])
        .filter(Boolean).map(([dir, f]) => f.startsWith(dir + path.sep) && f).find(Boolean);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Starts redis-server and the gateway nodes. Returns { nodes: {a, b}, pageOrigin, pageUrl(query),
 * kill(name), stop() }; each node is { name, port, http, ws, process }.
 */
export async function startCluster({ nodeNames = ['node-a', 'node-b'], expiringNotice = '5s', clockSkew = 1 } = {}) {
  const runJar = path.join(APP_DIR, 'quarkus-run.jar');
  if (NATIVE_EXECUTABLE) {
    fs.accessSync(NATIVE_EXECUTABLE, fs.constants.X_OK);   // a missing executable fails here, never falls back to the jar
  } else if (!fs.existsSync(runJar)) {
    throw new Error(`no packaged gateway at ${runJar}: build it with ./mvnw package -DskipTests in ${REPO}, `
      + 'or point SWITCHBOARD_APP_DIR at a copy of target/quarkus-app');
  }
  const started = { processes: [], staticServer: null };
  const stop = async () => {
    await Promise.all(started.processes.map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await child.exited;
    }));
    await started.staticServer?.close();
  };
  try {
    const redisPort = await freePort();
    const redis = start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    started.processes.push(redis);
    await waitFor('redis-server', redis, () => redisPing(redisPort));

    const nodes = {};
    await Promise.all(nodeNames.map(async (name) => {
      const port = await freePort();
      const properties = [
        `-Dquarkus.http.port=${port}`,
        '-Dquarkus.http.host=127.0.0.1',
        `-Dswitchboard.node.name=${name}`,
        `-Dswitchboard.cluster.redis-url=redis://127.0.0.1:${redisPort}`,
        `-Dsmallrye.jwt.verify.secretkey=${SECRET}`,
        `-Dswitchboard.auth.expiring-notice=${expiringNotice}`,
        `-Dmp.jwt.verify.clock.skew=${clockSkew}`,
        '-Dswitchboard.rooms.rules[0].pattern=chat:*',
        '-Dswitchboard.rooms.rules[0].join=user',
        '-Dswitchboard.rooms.rules[0].publish=user',
        '-Dswitchboard.rooms.rules[0].presence-events=true',
        '-Dswitchboard.rooms.rules[1].pattern=hist:*',
        '-Dswitchboard.rooms.rules[1].join=user',
        '-Dswitchboard.rooms.rules[1].publish=user',
        '-Dswitchboard.rooms.rules[1].history-size=1000',
        '-Dswitchboard.demo.enabled=true',
      ];
      const child = NATIVE_EXECUTABLE ? start(name, NATIVE_EXECUTABLE, properties)
        : start(name, 'java', [...properties, '-jar', runJar]);
      started.processes.push(child);
      const node = { name, port, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws`, process: child };
      await waitFor(name, child, () => httpOk(`${node.http}/q/health/ready`));
      nodes[name.replace(/^node-/, '')] = node;
    }));

    let pageOrigin;
    if (PAGE_FROM === 'gateway') {
      pageOrigin = Object.values(nodes)[0].http;
    } else {
      started.staticServer = await startStaticServer();
      pageOrigin = started.staticServer.origin;
    }
    return {
      nodes,
      redisPort,
      pageOrigin,
      /** The demo page URL with the given query parameters (arrays are joined with commas). */
      pageUrl(query = {}) {
        const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, [].concat(v).join(',')]));
        return `${pageOrigin}/?${params}`;
      },
      /** SIGKILLs a node (by 'a'/'b' or its name) and waits until the process is gone. */
      async kill(which) {
        const node = nodes[which] ?? Object.values(nodes).find((n) => n.name === which);
        node.process.kill('SIGKILL');
        await node.process.exited;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
