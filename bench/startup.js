// Cold starts of one Switchboard node (bench/run.sh PEER startup): spawns the command 5 times, polls
// /q/health/ready every 5 ms from the moment of the spawn, and reads the process's RSS 2 s after the
// first UP. Prints one JSON line: { scenario: "startup", label, ready_ms: [...], idle_rss_mb: [...] }.
//
//   node bench/startup.js LABEL PORT COMMAND [ARGS...]
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');

const [label, port, command, ...args] = process.argv.slice(2);
const STARTS = 5;

const rssMb = (pid) => {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line.split(/\s+/)[1]) / 102.4) / 10;
};
const ready = () => fetch(`http://127.0.0.1:${port}/q/health/ready`, { signal: AbortSignal.timeout(1000) })
  .then((r) => r.status === 200, () => false);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

(async () => {
  const readyMs = [];
  const idleRss = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => { exited = true; });
    while (!(await ready())) {
      if (exited) throw new Error(`${command} exited before it was ready`);
      if (process.hrtime.bigint() - t0 > 60_000_000_000n) throw new Error(`${command} not ready within 60 s`);
      await pause(5);
    }
    readyMs.push(Number((process.hrtime.bigint() - t0) / 100_000n) / 10);
    await pause(2000);
    idleRss.push(rssMb(child.pid));
    child.kill('SIGTERM');
    await new Promise((resolve) => (exited ? resolve() : child.once('exit', resolve)));
  }
  console.log(JSON.stringify({ scenario: 'startup', label, ready_ms: readyMs, idle_rss_mb: idleRss }));
})().catch((error) => { console.error(error.message); process.exit(1); });
