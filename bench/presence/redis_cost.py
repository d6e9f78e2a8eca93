#!/usr/bin/env python3
"""What presence costs Redis, measured on a real redis-server with the gateway's own Lua script.

Usage: bench/presence/redis_cost.py [port]   (default: starts nothing; expects redis-server on the port, 6399)

Simulates nodes by calling the script the way RedisPresenceStore does, then reports:
  * Redis memory per present member (MEMORY USAGE of the room's keys / members);
  * commands Redis runs per node refresh of one room (INFO commandstats, inside the script too);
  * the Redis-side time of a query on a 10,000-member room and of a refresh (usec per call).
Only Redis-side costs: they do not depend on how busy the machine running the gateway is.
"""
import re
import socket
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / 'src/main/java/io/switchboard/presence/PresenceScript.java'


def script_text():
    java = SRC.read_text()
    body = java[java.index('TEXT = """') + len('TEXT = """'):java.index('""";')]
    lines = body.split('\n')[1:]
    indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
    return '\n'.join(l[indent:] for l in lines)


class Redis:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.buf = b''

    def send(self, *args):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b'$%d\r\n%s\r\n' % (len(a), a))
        self.sock.sendall(b''.join(out))

    def _line(self):
        while b'\r\n' not in self.buf:
            self.buf += self.sock.recv(1 << 16)
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(1 << 16)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return rest.decode()
        if kind == b'-':
            raise RuntimeError(rest.decode())
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b'*':
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError('unexpected reply ' + repr(line))

    def call(self, *args):
        self.send(*args)
        return self.read()


PREFIX = 'switchboard:'
TIMEOUT_MS, GRACE_MS = 30000, 5000


def keys(room, node):
    base = '%s{%s}:presence:' % (PREFIX, room)
    return [base + 'users', base + 'conns', base + 'nodes', base + 'grace', base + 'node:' + node], base + 'node:'


def script_args(sha, room, node, op, *rest):
    k, node_prefix = keys(room, node)
    return ('EVALSHA', sha, 5, *k, op, node, node_prefix, TIMEOUT_MS // 2, GRACE_MS, TIMEOUT_MS + GRACE_MS, *rest)


def commandstats(r):
    info = r.call('INFO', 'commandstats').decode()
    stats = {}
    for m in re.finditer(r'cmdstat_(\w+(?:\|\w+)?):calls=(\d+),usec=(\d+)', info):
        stats[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return stats


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6399
    r = Redis(port)
    r.call('FLUSHALL')
    sha = r.call('SCRIPT', 'LOAD', script_text()).decode()

    # A 10,000-member room: users spread over 4 nodes, one connection each (pipelined writes).
    room, members, nodes = 'chat:big', 10_000, ['n1', 'n2', 'n3', 'n4']
    for i in range(members):
        r.send(*script_args(sha, room, nodes[i % 4], 'set', 'user-%06d' % i, 1, '1' if i >= 4 else '0'))
    for _ in range(members):
        r.read()
    k, _ = keys(room, 'n1')
    node_keys = [k[4][:-2] + n for n in nodes]
    usage = {key.rsplit(':', 1)[-1] if 'node:' not in key else 'node:*': 0 for key in k[:4] + node_keys}
    for key in k[:4] + node_keys:
        usage[key.rsplit(':', 1)[-1] if 'node:' not in key else 'node:*'] += r.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') or 0
    total = sum(usage.values())
    print('room of %d members on %d nodes: %d bytes in Redis, %.0f bytes per member (%s)'
          % (members, len(nodes), total, total / members,
             ', '.join('%s %.0f' % (name, size / members) for name, size in usage.items())))

    # One refresh of the room by one node: how many commands Redis runs for it.
    r.call('CONFIG', 'RESETSTAT')
    rounds = 200
    for _ in range(rounds):
        r.send(*script_args(sha, room, 'n1', 'refresh', '1'))
    for _ in range(rounds):
        r.read()
    stats = commandstats(r)
    inner = sum(c for name, (c, _) in stats.items() if name not in ('evalsha', 'config|resetstat', 'config'))
    calls, usec = stats['evalsha']
    print('refresh of one room by one node: 1 EVALSHA (one round trip, pipelined with the node\'s other rooms), '
          '%.0f commands inside it, %.1f us of Redis time' % (inner / rounds, usec / calls))

    # A query of the 10,000-member room: count + the first 1,000 with their connections.
    r.call('CONFIG', 'RESETSTAT')
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        reply = r.call(*script_args(sha, room, 'n1', 'query', 1000))
    elapsed = time.perf_counter() - started
    assert reply[4] == members and len(reply[5]) == 1000, reply[4]
    calls, usec = commandstats(r)['evalsha']
    print('query of the 10,000-member room (count + 1,000 listed): %.0f us of Redis time per call, '
          '%.2f ms round trip from this client' % (usec / calls, elapsed / rounds * 1000))

    # Count alone on a 100,000-member room stays O(1): ZCARD.
    big = 'chat:huge'
    for i in range(100_000):
        r.send(*script_args(sha, big, 'n1', 'set', 'u%06d' % i, 1, '1' if i else '0'))
    for _ in range(100_000):
        r.read()
    r.call('CONFIG', 'RESETSTAT')
    for _ in range(rounds):
        reply = r.call(*script_args(sha, big, 'n1', 'query', 1000))
    calls, usec = commandstats(r)['evalsha']
    print('query of a 100,000-member room: count %d, %.0f us of Redis time per call' % (reply[4], usec / calls))


if __name__ == '__main__':
    main()
