package io.switchboard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Server-to-client WebSocket frames (RFC 6455 section 5.2) encoded ahead of the pipeline, so one
 * message becomes one buffer that any number of sockets can share. Server frames are never masked;
 * the frame is sent uncompressed (RSV1 clear), which permessage-deflate allows for any message.
 */
public final class WebSocketFrames {
    private static final int FIN_TEXT = 0x81;

    private WebSocketFrames() {
    }

    /** A final text frame holding {@code text} as UTF-8, in a pooled direct buffer the caller owns. */
    public static ByteBuf text(String text) {
        int length = ByteBufUtil.utf8Bytes(text);
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(header + length);
        frame.writeByte(FIN_TEXT);
        if (length < 126) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        // reserves the exact length: writeUtf8 would grow the buffer to three bytes per char first
        ByteBufUtil.reserveAndWriteUtf8(frame, text, length);
        return frame;
    }
}
