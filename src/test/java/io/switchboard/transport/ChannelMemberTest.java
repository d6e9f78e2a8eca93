package io.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;

/** The outbound half of a connection on Netty's own channel: its bound, its cut-offs, its abort. */
class ChannelMemberTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final RecordingOwner owner = new RecordingOwner();

    private static final class RecordingOwner implements ChannelMember.Owner {
        boolean closed;
        int tooSlow;
        int overloaded;

        @Override
        public boolean socketClosed() {
            return closed;
        }

        @Override
        public void tooSlow() {
            tooSlow++;
        }

        @Override
        public void overloaded() {
            overloaded++;
        }
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    @Test
    void framesAreSharedWrittenAndFlushedOnce() {
        ChannelMember member = new ChannelMember(channel, 1 << 20, 100, owner);
        ByteBuf frame = frame("m1");
        assertTrue(member.write(frame), "the first frame since a flush");
        assertFalse(member.write(frame), "the second is flushed with it");
        assertNull(channel.readOutbound(), "nothing leaves before the flush");
        member.flush();
        assertEquals("m1", text(channel.readOutbound()));
        assertEquals("m1", text(channel.readOutbound()));
        assertEquals(1, frame.refCnt(), "each write took its own share, the caller keeps its own");
        frame.release();
    }

    @Test
    void aMemberPastItsFrameBoundIsCutOffOnceAndWrittenNothingMore() {
        EmbeddedChannel stalled = new NettyAccess.StalledChannel();
        ChannelMember member = new ChannelMember(stalled, 1 << 20, 2, owner);
        ByteBuf frame = frame("m");
        member.write(frame);
        member.write(frame);
        member.flush();
        assertFalse(member.write(frame), "two frames the socket has not taken: the bound");
        assertEquals(1, owner.tooSlow);
        assertFalse(member.write(frame), "nothing more");
        assertEquals(1, owner.tooSlow, "told once");
        stalled.finishAndReleaseAll();
        assertEquals(1, frame.refCnt(), "the shares written went with the socket");
        frame.release();
    }

    @Test
    void aMemberPastItsByteBoundIsCutOff() {
        ChannelMember member = new ChannelMember(channel, 10, 100, owner);
        ByteBuf frame = frame("0123456789");
        member.write(frame);
        assertFalse(member.write(frame));
        assertEquals(1, owner.tooSlow);
        frame.release();
    }

    @Test
    void aMissedMessageStopsEveryLaterWriteAndIsToldOnce() {
        ChannelMember member = new ChannelMember(channel, 1 << 20, 100, owner);
        member.missed();
        member.missed();
        assertEquals(1, owner.overloaded);
        ByteBuf frame = frame("m");
        assertFalse(member.write(frame));
        member.flush();
        assertNull(channel.readOutbound());
        frame.release();
    }

    @Test
    void nothingIsWrittenOnceTheSocketIsClosing() {
        ChannelMember member = new ChannelMember(channel, 1 << 20, 100, owner);
        owner.closed = true;
        ByteBuf frame = frame("m");
        assertFalse(member.write(frame));
        member.flush();
        assertNull(channel.readOutbound());
        frame.release();
    }

    /** A handler that holds every close, as one waiting for a WebSocket close frame to go out does. */
    @Test
    void abortClosesTheTransportPastHandlersThatHoldTheClose() {
        EmbeddedChannel held = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
                // never passed on
            }
        });
        held.close();
        assertTrue(held.isOpen(), "the handler holds a pipeline close");
        new ChannelMember(held, 1 << 20, 100, owner).abort();
        held.runPendingTasks();
        assertFalse(held.isOpen());
        held.finishAndReleaseAll();
    }

    private static ByteBuf frame(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private static String text(Object written) {
        ByteBuf buf = (ByteBuf) written;
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
