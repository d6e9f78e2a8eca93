package io.switchboard.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for what a well-behaved client library will not do:
 * stop reading its socket altogether, as a stalled phone or a hostile slow reader does.
 */
public final class RawWsClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private volatile int closeCode = -1;

    private RawWsClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Upgrades with the token in the Authorization header; a small receive buffer makes the stall bite early. */
    public static RawWsClient connect(URI ws, String token) {
        return connect(ws, token, 4096);
    }

    public static RawWsClient connect(URI ws, String token, int receiveBufferBytes) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(receiveBufferBytes);
            socket.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), 5000);
            socket.setSoTimeout(30_000);
            RawWsClient client = new RawWsClient(socket);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String request = "GET " + ws.getPath() + " HTTP/1.1\r\nHost: " + ws.getHost() + ":" + ws.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nAuthorization: Bearer " + token + "\r\n\r\n";
            client.out.write(request.getBytes(StandardCharsets.US_ASCII));
            client.out.flush();
            String status = client.readHttpHead();
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("upgrade refused: " + status);
            }
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHttpHead() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Sends one masked text frame, as a client must. */
    public void sendText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        try {
            out.write(0x81);
            if (payload.length < 126) {
                out.write(0x80 | payload.length);
            } else {
                out.write(0x80 | 126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xff);
            }
            out.write(mask);
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ mask[i % 4]);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the next text frame (for the handshake phase, before the client stops reading). */
    public String readText() {
        try {
            while (true) {
                int first = in.readUnsignedByte();
                byte[] payload = readPayload();
                if ((first & 0x0f) == 0x1) {
                    return new String(payload, StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the next text frame, for a reader that keeps up with a flood; null once the server's close
     * frame came (its code then in {@link #closeCode}) or the socket ended.
     */
    public String readTextOrNull() {
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return null;
                }
                byte[] payload = readPayload();
                int opcode = first & 0x0f;
                if (opcode == 0x1) {
                    return new String(payload, StandardCharsets.UTF_8);
                }
                if (opcode == 0x8) {
                    closeCode = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
                    return null;
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** The code of the server's close frame once {@link #readTextOrNull} met it; -1 before or without one. */
    public int closeCode() {
        return closeCode;
    }

    private byte[] readPayload() throws IOException {
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return payload;
    }

    /** Reads (finally) everything queued until the close frame; returns its code, or -1 if the socket just ended. */
    public int readUntilClose() {
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return -1;
                }
                byte[] payload = readPayload();
                if ((first & 0x0f) == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
                }
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Reads up to the server's close frame and answers it, as a client must, then reads on until the
     * server ends the socket.
     *
     * @return the data frames (text or binary) that came after the server's close frame, which RFC 6455
     *         section 5.5.1 forbids; -1 when no close frame came at all
     */
    public int dataFramesAfterClose() {
        try {
            int first;
            do {
                first = in.read();
                if (first < 0) {
                    return -1;
                }
                readPayload();
            } while ((first & 0x0f) != 0x8);
            sendClose(1000);
            int after = 0;
            while ((first = in.read()) >= 0) {
                readPayload();
                int opcode = first & 0x0f;
                if (opcode == 0x1 || opcode == 0x2 || opcode == 0x0) {
                    after++;
                }
            }
            return after;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a close frame with this code (masked, as a client must). */
    public void sendClose(int code) {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        try {
            out.write(0x88);
            out.write(0x80 | 2);
            out.write(mask);
            out.write(((code >>> 8) & 0xff) ^ mask[0]);
            out.write((code & 0xff) ^ mask[1]);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a close frame without a status code (what a browser's {@code close()} sends). */
    public void sendEmptyClose() {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        try {
            out.write(0x88);
            out.write(0x80);
            out.write(mask);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InputStream input() {
        return in;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
