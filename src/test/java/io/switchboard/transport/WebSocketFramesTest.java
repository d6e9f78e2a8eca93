package io.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The frames the fan-out encodes ahead of the pipeline, read back by Netty's own client-side
 * decoder (unmasked server frames, as a browser reads them), across the three length forms.
 */
class WebSocketFramesTest {

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 125, 126, 127, 65535, 65536, 300_000 })
    void everyLengthFormDecodesToTheSameText(int length) {
        String text = "x".repeat(length);
        assertEquals(text, decodeOne(WebSocketFrames.text(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "héllo", "room \u00e9\u4e2d\ud83d\ude00", "{\"op\":\"message\"}" })
    void lengthCountsBytesNotChars(String text) {
        String padded = text + "y".repeat(125 - text.getBytes(StandardCharsets.UTF_8).length + 1);
        assertEquals(126, padded.getBytes(StandardCharsets.UTF_8).length, "crosses into the 16-bit form by bytes only");
        assertEquals(padded, decodeOne(WebSocketFrames.text(padded)));
    }

    /** A 16 KB message takes a 16 KB buffer, not the three bytes per char UTF-8 could need at most. */
    @ParameterizedTest
    @ValueSource(strings = { "x", "é", "中" })
    void theBufferHoldsTheFrameAndNoMore(String unit) {
        ByteBuf frame = WebSocketFrames.text(unit.repeat(16 * 1024));
        try {
            assertEquals(frame.readableBytes(), frame.capacity());
        } finally {
            frame.release();
        }
    }

    @Property(tries = 300)
    void anyTextRoundTrips(@ForAll String text) {
        String asUtf8 = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertEquals(asUtf8, decodeOne(WebSocketFrames.text(text)));
    }

    private static String decodeOne(ByteBuf frame) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, Integer.MAX_VALUE));
        try {
            client.writeInbound(frame);
            TextWebSocketFrame text = client.readInbound();
            try {
                assertTrue(text.isFinalFragment());
                assertEquals(0, text.rsv(), "uncompressed, no extension bits");
                assertNull(client.readInbound(), "exactly one frame");
                return text.text();
            } finally {
                text.release();
            }
        } finally {
            client.finishAndReleaseAll();
        }
    }
}
