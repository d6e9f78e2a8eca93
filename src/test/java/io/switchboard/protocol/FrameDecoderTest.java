package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
    private final FrameDecoder decoder = new FrameDecoder();

    @ParameterizedTest
    @ValueSource(strings = { "1", "-2.5e10", "\"text with \\\" and \\u00e9\"", "true", "null", "[]", "{}",
            "[1,{\"a\":[null,\"}\"]}]", "{\"nested\":{\"deep\":[1,2,3]}}" })
    void publishDataIsSlicedVerbatim(String data) throws BadFrameException {
        ClientFrame frame = decoder.decode("{\"op\":\"publish\",\"room\":\"r:1\",\"data\":" + data + ",\"ref\":\"a\"}");
        ClientFrame.Publish publish = assertInstanceOf(ClientFrame.Publish.class, frame);
        assertEquals(data, publish.data());
        assertEquals("a", publish.ref());
    }

    @Test
    void dataAsLastFieldWithWhitespace() throws BadFrameException {
        ClientFrame.Publish publish = (ClientFrame.Publish) decoder.decode("{ \"op\" : \"publish\" , \"room\":\"r\", \"data\" :  {\"x\" : 1 }  }");
        assertEquals("{\"x\" : 1 }", publish.data());
        assertNull(publish.ref());
    }

    @Test
    void opsDecode() throws BadFrameException {
        assertEquals(new ClientFrame.Join("1", "a:b", null), decoder.decode("{\"op\":\"join\",\"room\":\"a:b\",\"ref\":\"1\"}"));
        assertEquals(new ClientFrame.Leave(null, "a"), decoder.decode("{\"op\":\"leave\",\"room\":\"a\"}"));
        assertEquals(new ClientFrame.Presence("p", "a"), decoder.decode("{\"op\":\"presence\",\"room\":\"a\",\"ref\":\"p\"}"));
        assertEquals(new ClientFrame.Refresh(null, "t.t.t"), decoder.decode("{\"op\":\"refresh\",\"token\":\"t.t.t\"}"));
    }

    @Test
    void hugeNumberIsRejectedNotParsed() {
        String frame = "{\"op\":\"publish\",\"room\":\"r\",\"data\":" + "9".repeat(5000) + "}";
        BadFrameException e = assertThrows(BadFrameException.class, () -> decoder.decode(frame));
        assertEquals("not valid JSON", e.reason());
    }

    @Test
    void refAfterABadFieldIsStillEchoed() {
        BadFrameException e = assertThrows(BadFrameException.class,
                () -> decoder.decode("{\"op\":\"join\",\"room\":42,\"ref\":\"r1\"}"));
        assertEquals("r1", e.ref());
        assertEquals("field must be a string: room", e.reason());
        BadFrameException nested = assertThrows(BadFrameException.class,
                () -> decoder.decode("{\"op\":{\"x\":[1,2]},\"room\":\"a\",\"ref\":\"r2\"}"));
        assertEquals("r2", nested.ref());
        assertEquals("field must be a string: op", nested.reason());
    }

    @Test
    void brokenJsonStopsTheReadingAndKeepsOnlyARefReadBefore() {
        BadFrameException e = assertThrows(BadFrameException.class,
                () -> decoder.decode("{\"ref\":\"k\",\"op\":\"join\",\"room\":tru"));
        assertEquals("k", e.ref());
        assertEquals("not valid JSON", e.reason());
    }

    @Test
    void refIsKeptWhenTheErrorComesLater() {
        BadFrameException e = assertThrows(BadFrameException.class,
                () -> decoder.decode("{\"ref\":\"k\",\"op\":\"join\",\"room\":\"bad room\"}"));
        assertEquals("k", e.ref());
        assertEquals("invalid room name", e.reason());
    }

    @Test
    void roomNameBoundaries() {
        assertEquals(true, RoomNames.isValid("a".repeat(128)));
        assertEquals(false, RoomNames.isValid("a".repeat(129)));
        assertEquals(true, RoomNames.isValid("AZaz09:_-.@"));
        assertEquals(false, RoomNames.isValid("é"));
        assertEquals(false, RoomNames.isValid(""));
    }
}
