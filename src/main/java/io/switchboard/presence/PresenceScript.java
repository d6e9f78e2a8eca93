package io.switchboard.presence;

/**
 * The one Lua script behind {@link RedisPresenceStore}: every presence operation on a room runs as one
 * atomic script on the room's keys, so concurrent nodes never interleave inside a change and a
 * settled event is returned to exactly one caller. A Java text block rather than a resource, so the
 * native image needs nothing registered.
 */
final class PresenceScript {
    static final String TEXT = """
            -- Presence of one room (PROTOCOL section 9). Every key is in the room's hash slot.
            -- KEYS: users (zset, score 0: listed users in UTF-8 byte order), conns (hash user -> connections on
            -- every live node), nodes (zset node -> deadline ms), grace (zset user -> end of grace ms),
            -- mine (hash user -> connections on the calling node).
            -- ARGV: op, node id, prefix of a node's key, alive ms, grace ms, keep ms, then the op's own.
            -- Returns {joined users, parted users, ms until the earliest grace ends or -1, lost 0/1, ...}.
            local users, conns, nodes, grace, mine = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
            local op, self, nodePrefix = ARGV[1], ARGV[2], ARGV[3]
            local aliveMs, graceMs, keepMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local joined, parted = {}, {}

            -- One user's connections change by delta. Dropping to 0 starts a grace (graceEnd) or, without
            -- one, parts the user at once; rising from 0 ends a grace silently or makes the user present.
            local function change(user, delta, graceEnd)
              local total = redis.call('HINCRBY', conns, user, delta)
              if total <= 0 then
                redis.call('HDEL', conns, user)
                if graceEnd then
                  redis.call('ZADD', grace, graceEnd, user)
                else
                  redis.call('ZREM', grace, user)
                  if redis.call('ZREM', users, user) == 1 then parted[#parted + 1] = user end
                end
              elseif total - delta <= 0 then
                if redis.call('ZREM', grace, user) == 0 and redis.call('ZADD', users, 0, user) == 1 then
                  joined[#joined + 1] = user
                end
              end
            end

            -- Sets the calling node's count of a user.
            local function set(user, n)
              local old = tonumber(redis.call('HGET', mine, user) or '0')
              if n > 0 then redis.call('HSET', mine, user, n) else redis.call('HDEL', mine, user) end
              if n ~= old then change(user, n - old, now + graceMs) end
            end

            -- Nodes that stopped refreshing are gone with their connections: their users part at once (the
            -- timeout was their grace). Then the graces that ended without the user coming back.
            local dead = redis.call('ZRANGEBYSCORE', nodes, '-inf', now, 'LIMIT', 0, 8)
            for _, id in ipairs(dead) do
              local key = nodePrefix .. id
              local entries = redis.call('HGETALL', key)
              for i = 1, #entries, 2 do change(entries[i], -tonumber(entries[i + 1]), nil) end
              redis.call('DEL', key)
              redis.call('ZREM', nodes, id)
            end
            local due = redis.call('ZRANGEBYSCORE', grace, '-inf', now, 'LIMIT', 0, 1000)
            for _, user in ipairs(due) do
              redis.call('ZREM', grace, user)
              if redis.call('HEXISTS', conns, user) == 0 and redis.call('ZREM', users, user) == 1 then
                parted[#parted + 1] = user
              end
            end

            local lost = 0
            local extra = {}
            if op == 'set' then
              set(ARGV[7], tonumber(ARGV[8]))
            elseif op == 'resync' then
              local want = {}
              for i = 7, #ARGV, 2 do want[ARGV[i]] = tonumber(ARGV[i + 1]) end
              local have = redis.call('HKEYS', mine)
              for _, user in ipairs(have) do
                if not want[user] then set(user, 0) end
              end
              for i = 7, #ARGV, 2 do set(ARGV[i], want[ARGV[i]]) end
            elseif op == 'query' then
              local limit = tonumber(ARGV[7])
              local listed = redis.call('ZRANGE', users, 0, limit - 1)
              local counts = {}
              if #listed > 0 then
                local raw = redis.call('HMGET', conns, unpack(listed))
                for i = 1, #listed do counts[i] = tonumber(raw[i]) or 0 end
              end
              extra = {redis.call('ZCARD', users), listed, counts}
            end

            -- The calling node keeps its entries alive while it has any. Its entries are lost when they are
            -- gone while it still holds other connections in the room (the 'others' flag of a set, or a
            -- refresh that says it is alive): it must resync.
            local alive = op == 'refresh' and ARGV[7] == '1'
            if op == 'set' or op == 'resync' or alive then
              local others = alive or (op == 'set' and ARGV[9] == '1')
              if redis.call('HLEN', mine) > 0 then
                if redis.call('ZADD', nodes, now + aliveMs, self) == 1 and others then lost = 1 end
              else
                redis.call('ZREM', nodes, self)
                if others then lost = 1 end
              end
            end
            for _, key in ipairs({users, conns, nodes, grace, mine}) do redis.call('PEXPIRE', key, keepMs) end

            local nextDue = -1
            local first = redis.call('ZRANGE', grace, 0, 0, 'WITHSCORES')
            if #first > 0 then nextDue = math.max(0, tonumber(first[2]) - now) end
            if #redis.call('ZRANGEBYSCORE', nodes, '-inf', now, 'LIMIT', 0, 1) > 0 then nextDue = 0 end
            local reply = {joined, parted, nextDue, lost}
            for _, v in ipairs(extra) do reply[#reply + 1] = v end
            return reply
            """;

    private PresenceScript() {
    }
}
