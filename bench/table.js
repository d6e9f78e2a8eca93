#!/usr/bin/env node
// The three-way table of docs/benchmarks.md from bench/run.sh's JSON lines (the last line of each
// scenario and peer wins), with each Switchboard figure as a ratio to the incumbent's.
//
//   bench/table.js target/bench/results.jsonl
'use strict';
const fs = require('node:fs');

const runs = {};
for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line);
  runs[`${r.scenario}/${r.label}`] = r;
}
const PEERS = ['nestjs', 'native', 'jvm'];
const nodes = (r) => r.servers.filter((s) => s.label !== 'redis');
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fixed = (x, d) => (x == null || Number.isNaN(x) ? null : Number(x.toFixed(d)));
const figures = [
  ['time to /q/health/ready, median of 5 (ms)', 'startup', (r) => median(r.ready_ms)],
  ['idle RSS 2 s after ready, median (MB)', 'startup', (r) => median(r.idle_rss_mb)],
  ['server CPU per delivery (µs)', 'default', (r) => fixed((1e6 * sum(nodes(r).map((s) => s.cpu_s_publish))) / r.messages.delivered, 1)],
  ['server CPU per handshake, cold nodes (ms)', 'default', (r) => fixed((1e3 * sum(nodes(r).map((s) => s.cpu_s_ramp))) / r.connections.succeeded, 2)],
  ['connect p50 / p99, cold nodes (ms)', 'default', (r) => `${r.connections.connect_latency_ms.p50} / ${r.connections.connect_latency_ms.p99}`],
  ['connect p99, cold nodes (ms)', 'default', (r) => r.connections.connect_latency_ms.p99],
  ['delivery latency p50 / p99 (ms)', 'default', (r) => `${r.latency_ms.p50} / ${r.latency_ms.p99}`],
  ['peak RSS per node, 1,000 clients (MB)', 'default', (r) => fixed(sum(nodes(r).map((s) => s.peak_rss_mb)) / nodes(r).length, 0)],
  ['server CPU per handshake, warm nodes (ms)', 'churn', (r) => fixed((1e3 * sum(nodes(r).map((s) => s.cpu_s_ramp))) / r.connections.succeeded, 2)],
  ['connect p50 / p99, warm nodes (ms)', 'churn', (r) => `${r.connections.connect_latency_ms.p50} / ${r.connections.connect_latency_ms.p99}`],
  ['memory per added connection (KB)', 'memory', (r) => r.kb_per_additional_connection],
  ['peak RSS per node at 1,000 / 2,000 clients (MB)', 'memory', (r) => Object.values(r.peak_rss_mb)
    .map((xs) => fixed(sum(xs) / xs.length, 0)).join(' / ')],
  ['load3x: deliveries/s', 'load3x', (r) => r.messages.delivered_per_s],
  ['load3x: latency p50 / p99 (ms)', 'load3x', (r) => `${r.latency_ms.p50} / ${r.latency_ms.p99}`],
  ['load3x: server CPU per delivery (µs)', 'load3x', (r) => fixed((1e6 * sum(nodes(r).map((s) => s.cpu_s_publish))) / r.messages.delivered, 1)],
  ['lost / duplicated (default, churn, load3x)', null, (_, peer) => ['default', 'churn', 'load3x']
    .map((s) => runs[`${s}/${peer}`]).filter(Boolean)
    .map((r) => `${r.messages.lost}/${r.messages.duplicates}`).join(', ')],
];
console.log(`| figure | ${PEERS.join(' | ')} | native ÷ nestjs | jvm ÷ nestjs |`);
console.log(`|---|${PEERS.map(() => '---').join('|')}|---|---|`);
for (const [name, scenario, get] of figures) {
  const values = PEERS.map((peer) => {
    const r = scenario ? runs[`${scenario}/${peer}`] : {};
    try { return r ? get(r, peer) : null; } catch { return null; }
  });
  const ratio = (v) => (typeof v === 'number' && typeof values[0] === 'number' && values[0] ? fixed(v / values[0], 2) : '');
  console.log(`| ${name} | ${values.map((v) => v ?? '–').join(' | ')} | ${ratio(values[1])} | ${ratio(values[2])} |`);
}

// CPU per delivery above the kernel floor (bench/floor, the same suite): the issue's target compares
// what each peer spends beyond the write(2) every delivery costs anyway.
const floor = runs['floor/undefined'];
if (floor) {
  const f = floor.user_us_per_write + floor.sys_us_per_write;
  const above = PEERS.map((peer) => {
    const r = runs[`default/${peer}`];
    return r ? (1e6 * sum(nodes(r).map((s) => s.cpu_s_publish))) / r.messages.delivered - f : null;
  });
  const ratio = (v) => (v != null && above[0] ? fixed(v / above[0], 2) : '');
  console.log(`| server CPU per delivery above the kernel floor of ${fixed(f, 1)} µs (µs) | ${above
    .map((v) => fixed(v, 1) ?? '–').join(' | ')} | ${ratio(above[1])} | ${ratio(above[2])} |`);
}

// History on (every room keeps 100 messages) against history off (default), per Switchboard peer.
const hist = ['native', 'jvm'].filter((peer) => runs[`history/${peer}`] && runs[`default/${peer}`]);
if (hist.length) {
  const perDelivery = (r) => (1e6 * sum(nodes(r).map((s) => s.cpu_s_publish))) / r.messages.delivered;
  const perPublish = (r) => (1e6 * sum(nodes(r).map((s) => s.cpu_s_publish))) / r.publishes.sent;
  const redis = (r) => r.servers.find((s) => s.label === 'redis');
  const redisCores = (r) => redis(r).cpu_s_publish / r.params.duration_s;
  const rows = [
    ['server CPU per delivery (µs)', (r) => fixed(perDelivery(r), 1)],
    ['server CPU per publish (µs)', (r) => fixed(perPublish(r), 0)],
    ['Redis CPU during publishing (cores)', (r) => fixed(redisCores(r), 3)],
    ['delivery latency p50 / p99 (ms)', (r) => `${r.latency_ms.p50} / ${r.latency_ms.p99}`],
    ['lost / duplicated', (r) => `${r.messages.lost}/${r.messages.duplicates}`],
  ];
  console.log(`\n| figure | ${hist.map((p) => `${p}, history off | ${p}, history on | on ÷ off`).join(' | ')} |`);
  console.log(`|---|${hist.map(() => '---|---|---').join('|')}|`);
  for (const [name, get] of rows) {
    const cells = hist.flatMap((peer) => {
      const off = get(runs[`default/${peer}`]);
      const on = get(runs[`history/${peer}`]);
      return [off, on, typeof on === 'number' && off ? fixed(on / off, 2) : ''];
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}
