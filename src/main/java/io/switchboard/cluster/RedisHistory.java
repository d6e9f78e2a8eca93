package io.switchboard.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import io.switchboard.history.HistoryStore;
import io.switchboard.protocol.Position;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Histories in Redis (PROTOCOL section 8). Per room, a stream of its last {@code history-size}
 * messages whose entry ids are {@code 0-<offset>}, and a hash with the stream's {@code epoch}, its
 * last {@code offset} and, per publishing node instance, the last envelope sequence stored, so a
 * publish resent after a reconnect is not stored twice. A publish names the one of its node it
 * follows, if that one was not acknowledged yet, and is refused ({@code ORDER}) until that one is
 * stored: the cluster client retries a command refused {@code CLUSTERDOWN} or {@code TRYAGAIN} on
 * its own timer, so a later publish can reach Redis first, and would otherwise make the earlier one
 * look like a stored copy. The stream, the hash and the room's channel
 * carry the room in a hash tag, {@code {room}}, so in a Redis Cluster they share a slot and one
 * script can touch all three.
 * <p>
 * Appending, assigning the offset and publishing are one script, so offsets follow the order in
 * which Redis published the messages. The epoch is made when the hash is missing: the history was
 * lost, or expired as a whole ({@code history-ttl} after its last message).
 * <p>
 * The scripts are called by their SHA1 ({@link LuaScript}); a call Redis answers {@code NOSCRIPT}
 * is sent again as {@code EVAL}, which runs and loads the script (for publishes, see RedisBus).
 */
final class RedisHistory implements HistoryStore {
    /** A history message on its channel: {@code 2 <origin> <ts> <epoch> <offset> <frame>}. */
    static final char VERSION = '2';

    // KEYS: stream, meta. ARGV: channel, publish command, size, ttl seconds, candidate epoch,
    // origin, sequence, ts, frame head, frame tail, sequence of the origin's publish this one must
    // follow (0: none).
    private static final String PUBLISH = """
            local last = redis.call('HGET', KEYS[2], 'o:' .. ARGV[6])
            if last and tonumber(last) >= tonumber(ARGV[7]) then
              return {redis.call('HGET', KEYS[2], 'epoch') or '', 0}
            end
            if ARGV[11] ~= '0' and not (last and tonumber(last) >= tonumber(ARGV[11])) then
              return redis.error_reply('ORDER the publish this one follows is not stored yet')
            end
            local epoch = redis.call('HGET', KEYS[2], 'epoch')
            if not epoch then
              epoch = ARGV[5]
              redis.call('DEL', KEYS[1])
              redis.call('HSET', KEYS[2], 'epoch', epoch)
            end
            local offset = redis.call('HINCRBY', KEYS[2], 'offset', 1)
            redis.call('HSET', KEYS[2], 'o:' .. ARGV[6], ARGV[7])
            local frame = ARGV[9] .. offset .. ARGV[10]
            redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], '0-' .. offset, 't', ARGV[8], 'f', frame)
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            redis.call(ARGV[2], ARGV[1], '2 ' .. ARGV[6] .. ' ' .. ARGV[8] .. ' ' .. epoch .. ' ' .. offset .. ' ' .. frame)
            return {epoch, offset}
            """;

    // KEYS: stream, meta. ARGV: candidate epoch, ttl seconds.
    private static final String CURRENT = """
            local epoch = redis.call('HGET', KEYS[2], 'epoch')
            if not epoch then
              redis.call('DEL', KEYS[1])
              redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'offset', 0)
              redis.call('EXPIRE', KEYS[2], ARGV[2])
              return {ARGV[1], 0}
            end
            return {epoch, tonumber(redis.call('HGET', KEYS[2], 'offset') or '0')}
            """;

    // KEYS: stream, meta. ARGV: epoch, from, to, oldest ts kept. Returns offset, ts, frame, ...
    private static final String RANGE = """
            if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[1] then
              return {}
            end
            local out = {}
            for _, e in ipairs(redis.call('XRANGE', KEYS[1], '0-' .. ARGV[2], '0-' .. ARGV[3])) do
              local f = e[2]
              if tonumber(f[2]) >= tonumber(ARGV[4]) then
                out[#out + 1] = string.sub(e[1], 3)
                out[#out + 1] = f[2]
                out[#out + 1] = f[4]
              end
            end
            return out
            """;

    /**
     * Reads sent at once. The pooled client refuses a request when its pool (6 connections) and the
     * pool's wait queue (24) are full, and a burst of first joins to many rooms (clients coming back
     * after a deploy) makes one read per room; the rest wait here instead.
     */
    static final int MAX_READS = 16;

    private final Redis client;
    private final Context context;
    private final String prefix;
    private final String self;
    private final AtomicLong epochs = new AtomicLong();
    private final LuaScript publishScript = new LuaScript(PUBLISH);
    private final LuaScript currentScript = new LuaScript(CURRENT);
    private final LuaScript rangeScript = new LuaScript(RANGE);
    /**
     * Reads beyond {@link #MAX_READS}, and the count sent; touched only on the bus's context. The
     * queue holds at most one read per room: a room's stream reads one thing at a time.
     */
    private final ArrayDeque<Runnable> waitingReads = new ArrayDeque<>();
    private int reads;

    RedisHistory(Redis client, Context context, String prefix, String self) {
        this.client = client;
        this.context = context;
        this.prefix = prefix;
        this.self = self;
    }

    /** Runs a script by its SHA1, and when Redis lost it, once more as {@code EVAL}, which loads it. */
    private Future<Response> run(LuaScript script, UnaryOperator<Request> args) {
        return client.send(args.apply(script.call(false)))
                .recover(e -> LuaScript.missing(e) ? client.send(args.apply(script.call(true))) : Future.failedFuture(e));
    }

    String channel(String room) {
        return prefix + "room:{" + room + '}';
    }

    private String stream(String room) {
        return prefix + "history:{" + room + '}';
    }

    private String meta(String room) {
        return prefix + "history-meta:{" + room + '}';
    }

    /** The room of a history channel, or null when the channel is not one. */
    String room(String channel) {
        int open = prefix.length() + 5;
        return channel.length() > open + 1 && channel.startsWith("room:{", prefix.length())
                && channel.charAt(channel.length() - 1) == '}' ? channel.substring(open + 1, channel.length() - 1) : null;
    }

    /** An epoch no other stream ever had: this instance, the time, and a counter. */
    private String candidateEpoch() {
        return self + '.' + Long.toString(System.currentTimeMillis(), 36) + '.' + Long.toString(epochs.incrementAndGet(), 36);
    }

    /**
     * The script that stores, numbers and publishes one message; its reply is {@code [epoch, offset]}.
     * Called by its SHA1 unless {@code loading}, which sends the text (after a {@code NOSCRIPT}).
     * {@code previous} is the sequence number of the node's publish to the room this one must follow,
     * or 0.
     */
    Request publish(RoomMessage message, HistorySpec spec, String publishCommand, long seq, long previous, boolean loading) {
        String frame = message.frame();
        return publishScript.call(loading).arg(2).arg(stream(message.room())).arg(meta(message.room()))
                .arg(channel(message.room())).arg(publishCommand).arg(spec.size()).arg(ttlSeconds(spec))
                .arg(candidateEpoch()).arg(self).arg(seq).arg(message.ts())
                .arg(ServerFrames.offsetHead(frame)).arg(ServerFrames.offsetTail(frame)).arg(previous);
    }

    @Override
    public void current(String room, HistorySpec spec, Handler<AsyncResult<Position>> done) {
        String candidate = candidateEpoch();
        read(currentScript, call -> call.arg(2).arg(stream(room)).arg(meta(room)).arg(candidate).arg(ttlSeconds(spec)),
                r -> new Position(r.get(0).toString(), r.get(1).toLong()), done);
    }

    @Override
    public void range(String room, HistorySpec spec, String epoch, long from, long to,
            Handler<AsyncResult<List<Entry>>> done) {
        if (from > to) {
            done.handle(Future.succeededFuture(List.of()));
            return;
        }
        long oldestKept = System.currentTimeMillis() - spec.ttlMillis();
        read(rangeScript, call -> call.arg(2).arg(stream(room)).arg(meta(room)).arg(epoch).arg(from).arg(to).arg(oldestKept),
                RedisHistory::entries, done);
    }

    /**
     * Runs a read script, or queues it while {@link #MAX_READS} are out; completes on the bus's
     * context. A read refused NOSCRIPT is sent again as EVAL within its turn.
     */
    private <T> void read(LuaScript script, UnaryOperator<Request> args, Function<Response, T> result,
            Handler<AsyncResult<T>> done) {
        if (reads >= MAX_READS) {
            waitingReads.add(() -> read(script, args, result, done));
            return;
        }
        reads++;
        run(script, args).map(result).onComplete(ar -> context.runOnContext(v -> {
            reads--;
            Runnable next = waitingReads.poll();
            if (next != null) {
                next.run();
            }
            done.handle(ar);
        }));
    }

    private static List<Entry> entries(Response flat) {
        List<Entry> entries = new ArrayList<>(flat.size() / 3);
        for (int i = 0; i + 2 < flat.size(); i += 3) {
            entries.add(new Entry(flat.get(i).toLong(), flat.get(i + 1).toLong(), flat.get(i + 2).toString()));
        }
        return entries;
    }

    private static long ttlSeconds(HistorySpec spec) {
        return Math.max(1, (spec.ttlMillis() + 999) / 1000);
    }

    /** A decoded history envelope. */
    record Message(String origin, long ts, String epoch, long offset, String frame) {
        /** @return null when the payload is not a history envelope */
        static Message decode(String text) {
            if (text.length() < 10 || text.charAt(0) != VERSION || text.charAt(1) != ' ') {
                return null;
            }
            int originEnd = text.indexOf(' ', 2);
            int tsEnd = originEnd < 0 ? -1 : text.indexOf(' ', originEnd + 1);
            int epochEnd = tsEnd < 0 ? -1 : text.indexOf(' ', tsEnd + 1);
            int offsetEnd = epochEnd < 0 ? -1 : text.indexOf(' ', epochEnd + 1);
            if (offsetEnd < 0) {
                return null;
            }
            try {
                return new Message(text.substring(2, originEnd), Long.parseLong(text, originEnd + 1, tsEnd, 10),
                        text.substring(tsEnd + 1, epochEnd), Long.parseLong(text, epochEnd + 1, offsetEnd, 10),
                        text.substring(offsetEnd + 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
