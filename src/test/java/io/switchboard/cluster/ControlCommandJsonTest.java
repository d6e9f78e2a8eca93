package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The control commands' wire format, which nodes of different versions share: each command encodes
 * to the text an older node reads and decodes back to itself; a newer node's type is recognised as
 * unknown; only what is not a command at all decodes to null.
 */
class ControlCommandJsonTest {

    private static void roundTrip(ControlCommand command, String wire) {
        assertEquals(wire, ControlCommandJson.encode(command));
        assertEquals(command, ControlCommandJson.decode(wire));
    }

    @Test
    void knownCommandsKeepTheirWireFormat() {
        roundTrip(new ControlCommand.Disconnect("alice"),
                "{\"type\":\"disconnect\",\"sub\":\"alice\",\"issuedBefore\":0,\"expiresAt\":0}");
        roundTrip(new ControlCommand.RevokeToken("t-1", 1_700_000_000_123L),
                "{\"type\":\"revoke\",\"jti\":\"t-1\",\"issuedBefore\":0,\"expiresAt\":1700000000123}");
        roundTrip(new ControlCommand.RevokeUser("bob", 1_700_000_000L, 1_700_000_600_000L),
                "{\"type\":\"revoke\",\"sub\":\"bob\",\"issuedBefore\":1700000000,\"expiresAt\":1700000600000}");
        roundTrip(new ControlCommand.Disconnect("a\"b\\c\u00e9\n"),
                "{\"type\":\"disconnect\",\"sub\":\"a\\\"b\\\\c\u00e9\\n\",\"issuedBefore\":0,\"expiresAt\":0}");
    }

    @Test
    void revocationsAreRetainedUnderTheirKeyAndDisconnectsAreNot() {
        assertEquals("jti:t-1", new ControlCommand.RevokeToken("t-1", 5).key());
        assertEquals("sub:bob", new ControlCommand.RevokeUser("bob", 1, 5).key());
        assertTrue(new ControlCommand.RevokeToken("t-1", 5).retained());
        assertFalse(new ControlCommand.Disconnect("alice").retained());
    }

    @Test
    void aTokenIdWinsOverASubInARevocation() {
        assertEquals(new ControlCommand.RevokeToken("t-1", 9),
                ControlCommandJson.decode("{\"type\":\"revoke\",\"sub\":\"bob\",\"jti\":\"t-1\",\"issuedBefore\":3,\"expiresAt\":9}"));
    }

    @Test
    void aNewerNodesCommandIsUnknownNotGarbage() {
        ControlCommand decoded = ControlCommandJson.decode(
                "{\"type\":\"mute\",\"sub\":\"x\",\"room\":\"lobby\",\"rule\":{\"for\":[1,2]},\"expiresAt\":77}");
        assertEquals(new ControlCommand.Unknown("mute", 77), decoded);
        // kept while it matters (an older node loading the retained hash must not delete it early)
        assertTrue(decoded.retained());
        roundTrip(new ControlCommand.Unknown("mute", 77), "{\"type\":\"mute\",\"issuedBefore\":0,\"expiresAt\":77}");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "canary", "[]", "\"revoke\"", "{}", "{\"sub\":\"x\"}", "{\"type\":1,\"sub\":\"x\"}",
            "{\"type\":\"revoke\",\"expiresAt\":5}", "{\"type\":\"disconnect\"}", "{\"type\":\"disconnect\",\"sub\":7}",
            "{\"type\":\"revoke\",\"jti\":\"x\"", "{\"type\":\"revoke\",\"jti\":" })
    void garbageIsNoCommand(String text) {
        assertNull(ControlCommandJson.decode(text));
    }
}
