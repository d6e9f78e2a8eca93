package io.switchboard.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * A Lua script and its SHA1, the name {@code EVALSHA} calls it by, so a call does not carry the
 * script's text. Redis forgets its scripts when it restarts, fails over or is told
 * {@code SCRIPT FLUSH}; it then answers {@code NOSCRIPT} ({@link #missing}), and the caller sends the
 * call again as {@code EVAL}, which runs the script and caches it.
 */
public record LuaScript(String text, String sha) {

    public LuaScript(String text) {
        this(text, sha1(text));
    }

    /** {@code EVALSHA <sha>}, or with {@code loading} {@code EVAL <text>}; the caller adds the keys and arguments. */
    public Request call(boolean loading) {
        return loading ? Request.cmd(Command.EVAL).arg(text) : Request.cmd(Command.EVALSHA).arg(sha);
    }

    /** Whether Redis refused a call because it does not hold the script (any more). */
    public static boolean missing(Throwable failure) {
        String message = failure == null ? null : failure.getMessage();
        return message != null && message.startsWith("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }
}
