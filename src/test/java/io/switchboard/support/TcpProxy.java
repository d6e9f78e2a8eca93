package io.switchboard.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of Redis that can make a connection go silent without closing it:
 * the failure a socket cannot see (a dropped NAT entry, a hung peer). It tells subscriber
 * connections apart by the SUBSCRIBE they send.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean subscriber;
        volatile boolean silent;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    public TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "redis://127.0.0.1:" + server.getLocalPort();
    }

    /** From now on, nothing Redis sends reaches the current subscriber connections; they stay open. */
    public void silenceSubscribers() {
        links.stream().filter(l -> l.subscriber).forEach(l -> l.silent = true);
    }

    /**
     * From now on, nothing Redis sends reaches the current connections that are not subscribers
     * (the publisher's replies); what they send still reaches Redis.
     */
    public void silencePublishers() {
        links.stream().filter(l -> !l.subscriber).forEach(l -> l.silent = true);
    }

    /** Cuts every connection that is not a subscriber (the publisher's, among others), as a network blip would. */
    public void dropPublishers() {
        links.stream().filter(l -> !l.subscriber).forEach(l -> {
            links.remove(l);
            closeQuietly(l.client);
            closeQuietly(l.upstream);
        });
    }

    public long subscriberConnections() {
        return links.stream().filter(l -> l.subscriber).count();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Link link = new Link(client, upstream);
                links.add(link);
                pump(link, client, upstream, true);
                pump(link, upstream, client, false);
            } catch (IOException e) {
                // the target is down: refuse this client as the target would, and keep accepting
                closeQuietly(client);
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, boolean clientToServer) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (clientToServer && !link.subscriber
                            && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).toUpperCase().contains("SUBSCRIBE")) {
                        link.subscriber = true;
                    }
                    if (!clientToServer && link.silent) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        links.forEach(l -> {
            closeQuietly(l.client);
            closeQuietly(l.upstream);
        });
    }
}
