package io.switchboard.auth;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * A JWKS served over http(s): fetched with Vert.x's non-blocking client, again every
 * {@code smallrye.jwt.jwks.refresh-interval}, and at once when a token names a key id the node does
 * not know, at most once per {@code smallrye.jwt.jwks.forced-refresh-interval}. smallrye-jwt's own
 * resolver fetches with a blocking HTTP call on the calling thread, which here is an event loop.
 * <p>
 * Every upgrade that meets an unknown key id while a fetch is under way waits on that same fetch.
 */
final class RemoteJwks {
    static final String LOCATION_KEY = "mp.jwt.verify.publickey.location";
    private static final Logger LOG = Logger.getLogger(RemoteJwks.class);
    private static final int FETCH_TIMEOUT_MILLIS = 10_000;

    private final Vertx vertx;
    private final HttpClient http;
    private final String url;
    private final Consumer<String> install;
    private final long forcedIntervalNanos;
    private final long timerId;
    /** Guarded by {@code this}. */
    private Future<Void> forced;
    /** Guarded by {@code this}; when the last forced fetch started. */
    private long lastForcedNanos;
    private boolean forcedEver;

    /**
     * Fetches the document once, waiting for it (the node serves nothing before its keys are known),
     * then keeps it fresh.
     */
    RemoteJwks(Vertx vertx, String url, Duration refresh, Duration forcedInterval, Consumer<String> install) {
        this.vertx = vertx;
        this.http = vertx.createHttpClient();
        this.url = url;
        this.install = install;
        this.forcedIntervalNanos = forcedInterval.toNanos();
        install.accept(awaitFirst());
        this.timerId = vertx.setPeriodic(Math.max(1000, refresh.toMillis()), id -> fetch()
                .onSuccess(install::accept)
                .onFailure(e -> LOG.warnf("JWKS refresh from %s failed, keeping the previous keys: %s", url, e.getMessage())));
    }

    private String awaitFirst() {
        try {
            return fetch().toCompletionStage().toCompletableFuture().get(FETCH_TIMEOUT_MILLIS + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the JWKS");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException(LOCATION_KEY + ": cannot fetch " + url + ": " + cause.getMessage());
        }
    }

    /**
     * Fetches the document again for a token whose key id is unknown, unless a forced fetch started
     * less than the forced-refresh interval ago. Completes when the new keys are installed (or the
     * fetch failed: the old keys stay), and at the latest after {@code wait}.
     */
    Future<Void> refreshForUnknownKey(Duration wait) {
        Future<Void> fetch;
        synchronized (this) {
            long now = System.nanoTime();
            if (forced == null) {
                if (forcedEver && now - lastForcedNanos < forcedIntervalNanos) {
                    return Future.succeededFuture();
                }
                forcedEver = true;
                lastForcedNanos = now;
                LOG.infof("A token names a key id that is not in the JWKS: fetching %s again", url);
                Future<Void> started = fetch().<Void>map(document -> {
                    install.accept(document);
                    return null;
                }).onFailure(e -> LOG.warnf("JWKS fetch from %s failed, keeping the previous keys: %s", url, e.getMessage()));
                forced = started;
                // Attached after the assignment: a fetch that fails at once must not leave it set.
                started.onComplete(done -> {
                    synchronized (RemoteJwks.this) {
                        if (forced == started) {
                            forced = null;
                        }
                    }
                });
            }
            fetch = forced;
        }
        Promise<Void> bounded = Promise.promise();
        long timer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> bounded.tryComplete());
        fetch.onComplete(done -> {
            vertx.cancelTimer(timer);
            bounded.tryComplete();
        });
        return bounded.future();
    }

    private Future<String> fetch() {
        return http.request(new RequestOptions().setAbsoluteURI(url).setMethod(HttpMethod.GET).setTimeout(FETCH_TIMEOUT_MILLIS))
                .compose(request -> request.send())
                .compose(response -> response.statusCode() == 200
                        ? response.body().map(Buffer::toString)
                        : Future.failedFuture(url + " answered " + response.statusCode()));
    }

    /** Stops the periodic fetch and releases the HTTP client (shutdown, dev-mode reload). */
    void close() {
        vertx.cancelTimer(timerId);
        http.close();
    }
}
