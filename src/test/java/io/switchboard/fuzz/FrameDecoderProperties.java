package io.switchboard.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.switchboard.protocol.BadFrameException;
import io.switchboard.protocol.ClientFrame;
import io.switchboard.protocol.FrameDecoder;
import io.switchboard.protocol.RoomNames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of {@link FrameDecoder} against the decoding table of docs/protocol.md section 3: whatever
 * text a client sends, the decoder either returns a frame that satisfies the protocol (and says exactly
 * what the text says, checked against a reference JSON parser), or refuses it with one of the documented
 * reasons; it never throws anything else.
 * <p>
 * Generated frames are modelled ({@link Frame}): the model knows which documented rules a frame breaks,
 * so a frame breaking none must decode to exactly its fields, and a refused frame must be refused for a
 * rule it really breaks. The transport decodes UTF-8 before the decoder sees a text frame, so invalid
 * UTF-8 is modelled as bytes decoded with {@code new String(bytes, UTF_8)}.
 */
class FrameDecoderProperties {
    private static final FrameDecoder DECODER = new FrameDecoder();
    private static final int MAX_REF = 64;
    /** Total nesting (the frame object included) the decoder accepts; docs: "nesting deeper than 64". */
    private static final int MAX_DEPTH = 64;
    private static final String ROOM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_-.@";
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9:_\\-.@]{1,128}");
    private static final List<String> OPS = List.of("join", "leave", "publish", "refresh", "presence");
    private static final List<String> KNOWN = List.of("op", "ref", "room", "token", "data");

    /** Every reason of the decoding table in docs/protocol.md (binary frames never reach the decoder). */
    private static final Set<String> DOCUMENTED = Stream.of(
            Stream.of("not valid JSON", "frame must be a JSON object", "frame must be exactly one JSON object",
                    "missing field: op", "unknown op", "ref longer than 64 characters", "missing field: room",
                    "invalid room name", "missing field: data", "missing field: token"),
            Stream.of("op", "ref", "room", "token").map(f -> "field must be a string: " + f),
            KNOWN.stream().map(f -> "duplicate field: " + f))
            .flatMap(s -> s).collect(Collectors.toUnmodifiableSet());

    /** A parser without the decoder's bounds: the judge of what a text means. */
    private static final ObjectMapper REFERENCE = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(100_000)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build());

    // ---------------------------------------------------------------------------------------------
    // Properties
    // ---------------------------------------------------------------------------------------------

    @Property
    void arbitraryTextIsDecodedOrRefusedWithADocumentedReason(@ForAll("anyText") String text) {
        decode(text);
    }

    @Property(tries = 50)
    void hugeArbitraryTextIsDecodedOrRefusedWithADocumentedReason(@ForAll("hugeText") String text) {
        decode(text);
    }

    @Property
    void jsonValuesThatAreNotObjectsAreRefused(@ForAll("nonObjects") Json value, @ForAll("whitespace") String ws) {
        Result result = decode(ws + value.text + ws);
        Set<String> allowed = new LinkedHashSet<>(Set.of("frame must be a JSON object"));
        if (value.tooBig()) {
            allowed.add("not valid JSON");
        }
        assertRefusedFor(result, allowed);
    }

    @Property
    void emptyAndBlankTextIsRefused(@ForAll("whitespace") String ws) {
        assertRefusedFor(decode(ws), Set.of("not valid JSON", "frame must be a JSON object"));
    }

    /** The round trip: a valid frame with arbitrary extra fields decodes to exactly the fields given. */
    @Property
    void validFramesDecodeToExactlyTheirFields(@ForAll("validFrames") Frame frame) {
        assertTrue(frame.violations().isEmpty(), "generator made an invalid frame: " + frame.violations());
        Result result = decode(frame.text());
        assertNull(result.error, () -> "refused a valid frame: " + result.error.reason() + "\n" + abbreviate(frame.text()));
        assertEquals(frame.expected(), result.frame);
    }

    /** Frames with every kind of mistake: decoded exactly when they break no rule, else refused for one they break. */
    @Property
    void framesAreRefusedExactlyForTheRulesTheyBreak(@ForAll("frames") Frame frame) {
        assertModel(frame);
    }

    @Property(tries = 50)
    void framesWithHugeStringsFollowTheModel(@ForAll("hugeFrames") Frame frame) {
        assertModel(frame);
    }

    /** Nesting: a frame whose total depth (the frame object counts) is over 64 is "not valid JSON". */
    @Property(tries = 300)
    void deepNestingIsBoundedAt64(@ForAll @IntRange(min = 0, max = 200) int depth, @ForAll boolean objects,
            @ForAll boolean inData, @ForAll("scalars") Json leaf) {
        Json nested = Json.nest(leaf, depth, objects);
        Member member = new Member(inData ? "data" : "deep", 0, nested);
        Frame frame = Frame.of(List.of(new Member("op", 0, Json.str("publish", 0)), new Member("room", 0, Json.str("r", 0)),
                member, new Member("data", 0, Json.literal("1"))).subList(0, inData ? 3 : 4));
        assertModel(frame);
        assertEquals(1 + nested.depth > MAX_DEPTH || leaf.tooBig(), !frame.violations().isEmpty());
    }

    @Property(tries = 100)
    void hugeNumbersAreRefusedWherever(@ForAll("hugeNumbers") Json number, @ForAll("knownOrUnknownName") String name) {
        Frame frame = Frame.of(List.of(new Member("op", 0, Json.str("publish", 0)), new Member("room", 0, Json.str("r", 0)),
                new Member(name, 0, number)));
        Result result = assertModel(frame);
        assertNotNull(result.error);
    }

    /** Numbers the decoder must keep verbatim: huge exponents, negative zero, long-but-allowed digits. */
    @Property
    void numbersWithin100DigitsAreSlicedVerbatim(@ForAll("numbers") Json number) {
        Frame frame = Frame.of(List.of(new Member("op", 0, Json.str("publish", 0)), new Member("room", 0, Json.str("r", 0)),
                new Member("data", 0, number)));
        Result result = assertModel(frame);
        assertEquals(number.text, ((ClientFrame.Publish) result.frame).data());
    }

    /** Random edits of valid frames (truncation, stray brackets, quotes, commas, garbage) keep the contract. */
    @Property(tries = 500)
    void mutatedFramesKeepTheContract(@ForAll("validFrames") Frame frame, @ForAll @Size(min = 1, max = 4) List<@From("mutations") Mutation> edits) {
        String text = frame.text();
        for (Mutation edit : edits) {
            text = edit.apply(text);
        }
        decode(text);
    }

    /** Truncating a frame never makes the decoder accept it, and it is refused for a reason the full frame or the cut explains. */
    @Property
    void truncatedFramesAreRefused(@ForAll("frames") Frame frame, @ForAll @IntRange(min = 0, max = 1000) int permille) {
        String full = frame.text();
        int end = frame.objectEnd();
        int cut = (int) ((long) end * permille / 1000);
        if (cut >= end) {
            cut = end - 1;
        }
        Result result = decode(full.substring(0, cut));
        Set<String> allowed = new LinkedHashSet<>(frame.violations());
        allowed.add("not valid JSON");
        allowed.add("frame must be a JSON object");
        assertRefusedFor(result, allowed);
    }

    @Property
    void arbitraryBytesDecodedAsUtf8KeepTheContract(@ForAll @Size(max = 400) byte[] bytes) {
        decode(new String(bytes, StandardCharsets.UTF_8));
    }

    /** Valid frames with invalid UTF-8 spliced in anywhere, as the transport would hand them over. */
    @Property(tries = 500)
    void framesWithInvalidUtf8KeepTheContract(@ForAll("validFrames") Frame frame,
            @ForAll("badUtf8Splices") List<byte[]> bad, @ForAll @Size(min = 3, max = 3) List<@IntRange(min = 0, max = 1000) Integer> where) {
        byte[] bytes = frame.text().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bad.size(); i++) {
            int at = (int) ((long) bytes.length * where.get(i) / 1000);
            byte[] spliced = new byte[bytes.length + bad.get(i).length];
            System.arraycopy(bytes, 0, spliced, 0, at);
            System.arraycopy(bad.get(i), 0, spliced, at, bad.get(i).length);
            System.arraycopy(bytes, at, spliced, at + bad.get(i).length, bytes.length - at);
            bytes = spliced;
        }
        decode(new String(bytes, StandardCharsets.UTF_8));
    }

    /** Invalid UTF-8 inside a string value becomes replacement characters: just text, the frame is still valid. */
    @Property
    void invalidUtf8InsideStringsIsJustText(@ForAll("badUtf8") byte[] bad, @ForAll("validRooms") String room) {
        String decoded = new String(bad, StandardCharsets.UTF_8);
        String ref = new String(bad, StandardCharsets.UTF_8);
        byte[] prefix = ("{\"op\":\"publish\",\"room\":\"" + room + "\",\"ref\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] middle = "\",\"data\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] frame = concat(prefix, bad, middle, bad, suffix);
        Result result = decode(new String(frame, StandardCharsets.UTF_8));
        if (ref.length() > MAX_REF) {
            assertRefusedFor(result, Set.of("ref longer than 64 characters"));
            return;
        }
        assertNull(result.error, () -> "refused: " + result.error.reason());
        assertEquals(new ClientFrame.Publish(ref, room, "\"" + decoded + "\""), result.frame);
        // ... and invalid UTF-8 in a room name can never make a valid room
        Result badRoom = decode(new String(concat("{\"op\":\"join\",\"room\":\"r".getBytes(StandardCharsets.UTF_8), bad,
                "\"}".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        assertRefusedFor(badRoom, Set.of("invalid room name"));
    }

    /** Hash-colliding field names (a symbol-table DoS attempt) are refused or ignored, never an unexpected exception. */
    @Property(tries = 10)
    void collidingFieldNamesKeepTheContract(@ForAll @IntRange(min = 4, max = 10) int bits) {
        StringBuilder text = new StringBuilder("{\"op\":\"join\",\"room\":\"r\"");
        for (int i = 0; i < 1 << bits; i++) {
            text.append(",\"");
            for (int b = 0; b < bits; b++) {
                // "aB" and "b!" hash alike under h * 33 + c, so every combination collides
                text.append(((i >> b) & 1) == 0 ? "aB" : "b!");
            }
            text.append("\":1");
        }
        Result result = decode(text.append('}').toString());
        if (result.error != null) {
            assertEquals("not valid JSON", result.error.reason());
        } else {
            assertEquals(new ClientFrame.Join(null, "r", null), result.frame);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The contract
    // ---------------------------------------------------------------------------------------------

    private record Result(ClientFrame frame, BadFrameException error) {
    }

    /** The ref a refusal must carry (null: none), when the model can know it. */
    private record Echo(boolean known, String ref) {
    }

    /** Decodes under the contract: a protocol-conforming frame that agrees with the reference parser, or a documented refusal. */
    private static Result decode(String text) {
        ClientFrame frame;
        try {
            frame = DECODER.decode(text);
        } catch (BadFrameException e) {
            assertTrue(e.reason() != null && !e.reason().isEmpty(), "empty reason");
            assertTrue(DOCUMENTED.contains(e.reason()), () -> "undocumented reason \"" + e.reason() + "\" for " + abbreviate(text));
            assertTrue(e.ref() == null || e.ref().length() <= MAX_REF, "echoed ref longer than 64");
            return new Result(null, e);
        } catch (Throwable t) {
            throw new AssertionError("decode threw " + t + " for " + abbreviate(text), t);
        }
        assertNotNull(frame, "decode returned null");
        assertConforms(frame, text);
        return new Result(frame, null);
    }

    private static void assertConforms(ClientFrame frame, String text) {
        assertTrue(OPS.contains(frame.op()), frame.op());
        assertTrue(frame.ref() == null || frame.ref().length() <= MAX_REF, "ref over 64: " + frame.ref());
        JsonNode tree;
        try {
            tree = REFERENCE.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("decoder accepted text the reference parser rejects: " + e.getMessage() + "\n" + abbreviate(text));
        }
        assertNotNull(tree);
        assertTrue(tree.isObject(), "accepted a non-object");
        assertEquals(textOf(tree, "op"), frame.op());
        assertEquals(textOf(tree, "ref"), frame.ref());
        if (frame instanceof ClientFrame.Join j) {
            assertRoom(j.room(), tree);
        } else if (frame instanceof ClientFrame.Leave l) {
            assertRoom(l.room(), tree);
        } else if (frame instanceof ClientFrame.Presence p) {
            assertRoom(p.room(), tree);
        } else if (frame instanceof ClientFrame.Publish p) {
            assertRoom(p.room(), tree);
            assertNotNull(p.data(), "publish without data");
            assertTrue(isSingleJsonValue(p.data()), () -> "data is not one JSON value: " + abbreviate(p.data()));
            try {
                assertEquals(tree.get("data"), REFERENCE.readTree(p.data()), "data differs from the frame's data");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        } else if (frame instanceof ClientFrame.Refresh r) {
            assertNotNull(r.token());
            assertTrue(!r.token().isEmpty(), "empty token accepted");
            assertEquals(textOf(tree, "token"), r.token());
        } else {
            fail("unknown frame type " + frame);
        }
    }

    private static void assertRoom(String room, JsonNode tree) {
        assertTrue(RoomNames.isValid(room) && ROOM.matcher(room).matches(), () -> "invalid room accepted: " + abbreviate(room));
        assertEquals(textOf(tree, "room"), room);
    }

    private static String textOf(JsonNode tree, String field) {
        JsonNode value = tree.get(field);
        return value == null ? null : value.textValue();
    }

    private static boolean isSingleJsonValue(String text) {
        try (JsonParser p = REFERENCE.getFactory().createParser(text)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static Result assertModel(Frame frame) {
        String text = frame.text();
        Set<String> violations = frame.violations();
        Result result = decode(text);
        if (violations.isEmpty()) {
            assertNull(result.error, () -> "refused a frame that breaks no rule: \"" + result.error.reason() + "\"\n" + abbreviate(text));
            assertEquals(frame.expected(), result.frame);
        } else {
            assertRefusedFor(result, violations);
            // docs: the reply echoes the frame's ref even when another field is invalid.
            Echo echo = frame.echoedRef();
            if (echo.known()) {
                assertEquals(echo.ref(), result.error.ref(), "the frame's ref was not echoed");
            }
        }
        return result;
    }

    private static void assertRefusedFor(Result result, Set<String> allowed) {
        assertNull(result.frame, () -> "decoded " + result.frame + " though it breaks " + allowed);
        assertTrue(allowed.contains(result.error.reason()),
                () -> "refused for \"" + result.error.reason() + "\" but the frame breaks " + allowed);
    }

    // ---------------------------------------------------------------------------------------------
    // Model
    // ---------------------------------------------------------------------------------------------

    /**
     * A generated JSON value: its text, its value when it is a string, its nesting depth (a scalar is
     * 0) and whether it holds a number over the decoder's 100-digit bound.
     */
    record Json(String text, String string, int depth, boolean hugeNumber) {
        static Json literal(String text) {
            return new Json(text, null, 0, false);
        }

        static Json str(String value, int style) {
            return new Json(quote(value, style), value, 0, false);
        }

        static Json number(String text, boolean huge) {
            return new Json(text, null, 0, huge);
        }

        static Json array(List<Json> items) {
            return new Json(items.stream().map(Json::text).collect(Collectors.joining(",", "[", "]")), null,
                    1 + items.stream().mapToInt(Json::depth).max().orElse(0), items.stream().anyMatch(Json::hugeNumber));
        }

        static Json object(List<Member> members) {
            return new Json(members.stream().map(Member::text).collect(Collectors.joining(",", "{", "}")), null,
                    1 + members.stream().mapToInt(m -> m.value.depth).max().orElse(0),
                    members.stream().anyMatch(m -> m.value.hugeNumber));
        }

        static Json nest(Json leaf, int depth, boolean objects) {
            String open = objects ? "{\"k\":" : "[";
            String close = objects ? "}" : "]";
            return new Json(open.repeat(depth) + leaf.text + close.repeat(depth), null, leaf.depth + depth, leaf.hugeNumber);
        }

        boolean isString() {
            return string != null;
        }

        /** Whether the value alone breaks the decoder's bounds when it sits one level inside the frame. */
        boolean tooBig() {
            return hugeNumber || 1 + depth > MAX_DEPTH;
        }

        @Override
        public String toString() {
            return abbreviate(text);
        }
    }

    /** One member of a frame object; {@code nameStyle} is how the name is escaped, {@code name} its value. */
    record Member(String name, int nameStyle, Json value) {
        String text() {
            return quote(name, nameStyle) + ":" + value.text;
        }

        @Override
        public String toString() {
            return abbreviate(text());
        }
    }

    /**
     * A frame object, the whitespace between its tokens, and what follows it. Knows the rules of the
     * decoding table it breaks.
     */
    record Frame(List<Member> members, String ws, String trailer, boolean trailerIsValue) {
        static Frame of(List<Member> members) {
            return new Frame(members, "", "", false);
        }

        String text() {
            return objectText() + trailer;
        }

        private String objectText() {
            return members.stream().map(m -> quote(m.name, m.nameStyle) + ws + ":" + ws + m.value.text)
                    .collect(Collectors.joining(ws + "," + ws, ws + "{" + ws, ws + "}"));
        }

        int objectEnd() {
            return objectText().length();
        }

        private List<Json> values(String name) {
            return members.stream().filter(m -> m.name.equals(name)).map(Member::value).toList();
        }

        private String single(String name) {
            List<Json> values = values(name);
            return values.isEmpty() ? null : values.get(0).string;
        }

        /**
         * The ref every reply to this frame must carry (PROTOCOL section 3): the first {@code ref} member
         * when it is a string of at most 64 characters, wherever it stands and whatever other field is
         * wrong. Empty when the JSON itself breaks before the object is read to its end (a value too big
         * for the parser), where only a ref read before the break can be echoed.
         */
        Echo echoedRef() {
            String ref = null;
            boolean refSeen = false;
            for (Member m : members) {
                if (m.value.tooBig()) {
                    return new Echo(false, null);
                }
                if (m.name.equals("ref") && !refSeen) {
                    refSeen = true;
                    ref = m.value.isString() && m.value.string.length() <= MAX_REF ? m.value.string : null;
                }
            }
            return new Echo(true, ref);
        }

        /** The documented reasons this frame deserves; empty when it is a valid frame. */
        Set<String> violations() {
            Set<String> v = new TreeSet<>();
            if (members.stream().anyMatch(m -> m.value.tooBig())) {
                v.add("not valid JSON");
            }
            if (!trailer.isBlank()) {
                v.add("frame must be exactly one JSON object");
                if (!trailerIsValue) {
                    // docs put "anything after the object" under "exactly one"; a parser may call it invalid JSON first
                    v.add("not valid JSON");
                }
            }
            for (String name : KNOWN) {
                List<Json> values = values(name);
                if (values.size() > 1) {
                    v.add("duplicate field: " + name);
                }
                if (!name.equals("data") && values.stream().anyMatch(j -> !j.isString())) {
                    v.add("field must be a string: " + name);
                }
            }
            if (values("ref").stream().anyMatch(j -> j.isString() && j.string.length() > MAX_REF)) {
                v.add("ref longer than 64 characters");
            }
            if (values("op").isEmpty()) {
                v.add("missing field: op");
            }
            for (Json op : values("op")) {
                if (!op.isString()) {
                    continue;
                }
                switch (op.string) {
                    case "join", "leave", "publish", "presence" -> {
                        if (values("room").isEmpty()) {
                            v.add("missing field: room");
                        }
                        if (values("room").stream().anyMatch(j -> j.isString() && !ROOM.matcher(j.string).matches())) {
                            v.add("invalid room name");
                        }
                        if (op.string.equals("publish") && values("data").isEmpty()) {
                            v.add("missing field: data");
                        }
                    }
                    case "refresh" -> {
                        if (values("token").isEmpty() || values("token").stream().anyMatch(j -> j.isString() && j.string.isEmpty())) {
                            v.add("missing field: token");
                        }
                    }
                    default -> v.add("unknown op");
                }
            }
            return v;
        }

        /** The frame a valid text must decode to. */
        ClientFrame expected() {
            String ref = single("ref");
            String room = single("room");
            return switch (single("op")) {
                case "join" -> new ClientFrame.Join(ref, room, null);
                case "leave" -> new ClientFrame.Leave(ref, room);
                case "presence" -> new ClientFrame.Presence(ref, room);
                case "publish" -> new ClientFrame.Publish(ref, room, values("data").get(0).text);
                case "refresh" -> new ClientFrame.Refresh(ref, single("token"));
                default -> throw new IllegalStateException("not a valid frame");
            };
        }

        @Override
        public String toString() {
            return abbreviate(text());
        }
    }

    /** One random edit of a frame's text; positions are fractions of the current length. */
    record Mutation(int kind, int permille, int length, String insert) {
        String apply(String text) {
            int at = (int) ((long) text.length() * permille / 1000);
            return switch (kind) {
                case 0 -> text.substring(0, at); // truncate
                case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + length)); // delete
                case 2 -> text.substring(0, at) + insert + text.substring(at); // insert
                case 3 -> text.substring(0, at) + text.substring(at, Math.min(text.length(), at + length)) + text.substring(at); // duplicate
                default -> text + insert; // trailing garbage
            };
        }
    }

    static String quote(String value, int style) {
        StringBuilder b = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                b.append("\\\"");
            } else if (c == '\\') {
                b.append("\\\\");
            } else if (c == '\n' && style == 0) {
                b.append("\\n");
            } else if (c < 0x20 || style == 2 || (style == 1 && c > 0x7e)) {
                b.append(String.format(style == 2 ? "\\u%04X" : "\\u%04x", (int) c));
            } else if (c == '/' && style == 1) {
                b.append("\\/");
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " chars)";
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    // ---------------------------------------------------------------------------------------------
    // Generators
    // ---------------------------------------------------------------------------------------------

    /** Any UTF-16 text: ASCII (controls included), the BMP, lone surrogates and JSON punctuation. */
    static StringArbitrary anyChars() {
        return Arbitraries.strings()
                .withCharRange('\u0000', '\u007f')
                .withCharRange('\u0080', '\uffff')
                .withCharRange('\ud800', '\udfff')
                .withChars("{}[]\":,\\ \u2028\u2029\ufeff\ufffd");
    }

    @Provide
    Arbitrary<String> anyText() {
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,\\ 0123456789.eE+-truefalsnop\ud800").ofMaxLength(60);
        return Arbitraries.frequencyOf(
                Tuple.of(3, anyChars().ofMaxLength(200)),
                Tuple.of(3, jsonish),
                Tuple.of(1, Arbitraries.of("", " ", "{", "}", "{}", "[]", "null", "\"op\"", "{\"op\"}", "{\"op\":}", "{,}",
                        "{\"op\":\"join\",}", "{\"op\":\"join\"", "{\"op\":\"join\"}}", "{\"op\":\"join\"}{}", "\ufeff{}",
                        "{\"op\":\"join\",\"room\":\"r\"}garbage", "{'op':'join'}", "{op:\"join\"}", "{\"op\":\"join\",\"room\":\"r\"}\u0000")));
    }

    @Provide
    Arbitrary<String> hugeText() {
        Arbitrary<String> repeated = Combinators.combine(Arbitraries.of("[", "{\"a\":", "9", "\"", "\\", "\ud800", "{\"op\":\"join\",", "é"),
                Arbitraries.integers().between(1, 100_000)).as((unit, n) -> unit.repeat(Math.max(1, n / unit.length())));
        return Arbitraries.oneOf(anyChars().ofMinLength(10_000).ofMaxLength(100_000), repeated);
    }

    @Provide
    Arbitrary<String> whitespace() {
        return Arbitraries.strings().withChars(" \t\r\n").ofMaxLength(3);
    }

    @Provide
    Arbitrary<String> validRooms() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.strings().withChars(ROOM_ALPHABET).ofMinLength(1).ofMaxLength(20)),
                Tuple.of(1, Arbitraries.strings().withChars(ROOM_ALPHABET).ofMinLength(120).ofMaxLength(128)));
    }

    Arbitrary<String> invalidRooms() {
        return Arbitraries.oneOf(
                Arbitraries.just(""),
                Arbitraries.strings().withChars(ROOM_ALPHABET).ofMinLength(129).ofMaxLength(200),
                Combinators.combine(Arbitraries.strings().withChars(ROOM_ALPHABET).ofMaxLength(10),
                        anyChars().ofLength(1).filter(c -> ROOM_ALPHABET.indexOf(c.charAt(0)) < 0),
                        Arbitraries.strings().withChars(ROOM_ALPHABET).ofMaxLength(10)).as((a, bad, b) -> a + bad + b));
    }

    Arbitrary<Integer> styles() {
        return Arbitraries.integers().between(0, 2);
    }

    Arbitrary<Json> strings(Arbitrary<String> values) {
        return Combinators.combine(values, styles()).as(Json::str);
    }

    @Provide
    Arbitrary<Json> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(l -> Json.number(Long.toString(l), false)),
                Arbitraries.doubles().map(d -> Json.number(Double.toString(d), false)),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(100)
                        .map(d -> Json.number(d.length() > 1 ? "1" + d.substring(1) : d, false)),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(98).map(d -> Json.number("-0." + d, false)),
                Arbitraries.of("1e999999", "-1E-999999", "1e+999999999", "0", "-0", "0.0", "-0.0e0", "1E+2", "123.456e-7", "2e308")
                        .map(n -> Json.number(n, false)));
    }

    @Provide
    Arbitrary<Json> hugeNumbers() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(101, 10_000).map(n -> Json.number("1" + "0".repeat(n - 1), true)),
                Arbitraries.integers().between(101, 10_000).map(n -> Json.number("-" + "9".repeat(n), true)),
                Arbitraries.integers().between(101, 10_000).map(n -> Json.number("0." + "3".repeat(n), true)),
                Arbitraries.integers().between(101, 10_000).map(n -> Json.number("7".repeat(n) + "e999999", true)));
    }

    @Provide
    Arbitrary<Json> scalars() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of("null", "true", "false").map(Json::literal)),
                Tuple.of(3, numbers()),
                Tuple.of(4, strings(anyChars().ofMaxLength(40))));
    }

    @Provide
    Arbitrary<Json> nonObjects() {
        return Arbitraries.oneOf(values().filter(j -> !j.text.startsWith("{")), hugeNumbers(),
                Combinators.combine(scalars(), Arbitraries.integers().between(1, 200)).as((leaf, d) -> Json.nest(leaf, d, false)));
    }

    Arbitrary<Json> nonStrings() {
        return values().filter(j -> !j.isString());
    }

    @Provide
    Arbitrary<Json> values() {
        return Arbitraries.recursive(this::scalars, this::containers, 0, 4);
    }

    Arbitrary<Json> containers(Arbitrary<Json> inner) {
        Arbitrary<Member> member = Combinators.combine(anyChars().ofMaxLength(12), styles(), inner).as(Member::new);
        return Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(Json::array),
                member.list().ofMaxSize(4).map(Json::object));
    }

    /** A payload: any JSON value, sometimes deeply nested, rarely with a number over the bound. */
    Arbitrary<Json> payloads() {
        Arbitrary<Json> deep = Combinators.combine(scalars(), Arbitraries.integers().between(0, 200), Arbitraries.of(true, false))
                .as(Json::nest);
        return Arbitraries.frequencyOf(
                Tuple.of(10, values()),
                Tuple.of(1, deep),
                Tuple.of(1, hugeNumbers()));
    }

    @Provide
    Arbitrary<String> knownOrUnknownName() {
        return Arbitraries.oneOf(Arbitraries.of(KNOWN), Arbitraries.of("x", "Data", "op ", "ōp", ""), anyChars().ofMaxLength(20));
    }

    /** Well-formed values for each known field, with occasional bad ones. */
    Arbitrary<Member> memberFor(String name, boolean mostlyValid) {
        int bad = mostlyValid ? 1 : 3;
        Arbitrary<Json> value = switch (name) {
            case "op" -> Arbitraries.frequencyOf(
                    Tuple.of(10, strings(Arbitraries.of(OPS))),
                    Tuple.of(bad, strings(Arbitraries.of("JOIN", "join ", "", "subscribe", "publish\u0000", "jo\u0000in"))),
                    Tuple.of(bad, nonStrings()));
            case "room" -> Arbitraries.frequencyOf(
                    Tuple.of(10, strings(validRooms())),
                    Tuple.of(bad, strings(invalidRooms())),
                    Tuple.of(bad, nonStrings()));
            case "ref" -> Arbitraries.frequencyOf(
                    Tuple.of(10, strings(anyChars().ofMaxLength(MAX_REF))),
                    Tuple.of(bad, strings(anyChars().ofMinLength(MAX_REF + 1).ofMaxLength(100))),
                    Tuple.of(bad, nonStrings()));
            case "token" -> Arbitraries.frequencyOf(
                    Tuple.of(10, strings(Arbitraries.strings().withChars("abcXYZ0189-_.").ofMinLength(1).ofMaxLength(60))),
                    Tuple.of(bad, strings(Arbitraries.just(""))),
                    Tuple.of(bad, nonStrings()));
            case "data" -> mostlyValid ? values() : payloads();
            default -> values();
        };
        return Combinators.combine(Arbitraries.just(name), name.length() > 0 ? styles() : Arbitraries.just(0), value)
                .as(Member::new);
    }

    /** An extra member: unknown names mostly, a known one (a duplicate or a stray field) sometimes. */
    Arbitrary<Member> extraMember(boolean mostlyValid) {
        Arbitrary<String> unknown = anyChars().ofMaxLength(15).filter(n -> !KNOWN.contains(n));
        Arbitrary<Member> unknownMember = Combinators.combine(unknown, styles(), mostlyValid ? values() : payloads()).as(Member::new);
        if (mostlyValid) {
            return unknownMember;
        }
        return Arbitraries.frequencyOf(
                Tuple.of(3, unknownMember),
                Tuple.of(1, Arbitraries.of(KNOWN).flatMap(n -> memberFor(n, false))));
    }

    /** The members a frame of each op needs, then extras, in any order. */
    Arbitrary<List<Member>> members(boolean mostlyValid) {
        Arbitrary<List<Member>> required = Arbitraries.of(OPS).flatMap(op -> {
            List<String> names = new ArrayList<>(List.of("op"));
            names.addAll(switch (op) {
                case "publish" -> List.of("room", "data");
                case "refresh" -> List.of("token");
                default -> List.of("room");
            });
            Arbitrary<Member> opMember = mostlyValid
                    ? styles().map(style -> new Member("op", 0, Json.str(op, style)))
                    : memberFor("op", false);
            List<Arbitrary<Member>> parts = new ArrayList<>();
            parts.add(opMember);
            names.stream().skip(1).map(n -> memberFor(n, mostlyValid)).forEach(parts::add);
            Arbitrary<List<Member>> base = Combinators.combine(parts).as(List::copyOf);
            // drop a required field now and then
            return mostlyValid ? base : Combinators.combine(base, Arbitraries.integers().between(-8, names.size() - 1))
                    .as((list, drop) -> {
                        List<Member> copy = new ArrayList<>(list);
                        if (drop >= 0) {
                            copy.remove((int) drop);
                        }
                        return copy;
                    });
        });
        Arbitrary<List<Member>> ref = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(List.<Member> of())),
                Tuple.of(1, memberFor("ref", mostlyValid).map(List::of)));
        Arbitrary<List<Member>> extras = extraMember(mostlyValid).list().ofMaxSize(3);
        return Combinators.combine(required, ref, extras).as((a, b, c) -> {
            List<Member> all = new ArrayList<>(a);
            all.addAll(b);
            all.addAll(c);
            return all;
        }).flatMap(Arbitraries::shuffle);
    }

    @Provide
    Arbitrary<Frame> validFrames() {
        return Combinators.combine(members(true), whitespace()).as((m, ws) -> new Frame(m, ws, "", false))
                .filter(f -> f.violations().isEmpty());
    }

    @Provide
    Arbitrary<Frame> frames() {
        Arbitrary<Tuple.Tuple2<String, Boolean>> trailer = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(Tuple.of("", true))),
                Tuple.of(2, whitespace().map(ws -> Tuple.of(ws, true))),
                Tuple.of(1, Arbitraries.of("{}", " 1", "[]", "\"x\"", "{\"op\":\"join\"}", " null").map(t -> Tuple.of(t, true))),
                Tuple.of(1, Arbitraries.of("x", "}", "]", ",", "{", "\u0000", ":", "garbage", "/*c*/", "\ud800").map(t -> Tuple.of(t, false))));
        return Combinators.combine(members(false), whitespace(), trailer)
                .as((m, ws, t) -> new Frame(m, ws, t.get1(), t.get2()));
    }

    @Provide
    Arbitrary<Frame> hugeFrames() {
        Arbitrary<String> huge = anyChars().ofMinLength(1_000).ofMaxLength(100_000);
        Arbitrary<Member> hugeMember = Combinators.combine(Arbitraries.of("data", "ref", "room", "token", "unknown"),
                huge, styles()).as((name, s, style) -> new Member(name, 0, Json.str(s, style)));
        // Names stay under Jackson's 50,000-character name bound: a longer unknown name is "not valid JSON",
        // not ignored (arbitraryText and hugeText cover it under the plain contract).
        Arbitrary<Member> hugeName = Combinators.combine(Arbitraries.strings().withChars("nN").ofMinLength(1_000).ofMaxLength(40_000),
                payloads()).as((n, v) -> new Member(n, 0, v));
        return Combinators.combine(members(true), Arbitraries.oneOf(hugeMember, hugeName))
                .as((m, extra) -> {
                    List<Member> all = new ArrayList<>(m);
                    all.removeIf(x -> x.name.equals(extra.name));
                    all.add(extra);
                    return Frame.of(all);
                });
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<String> inserts = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "\\ud800", "1e999999", "null", "\"op\":\"join\",",
                        "\u0000", "\ud800", "\udc00", "\ufffd", " ", "9".repeat(150)),
                anyChars().ofMaxLength(5));
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(1, 10), inserts).as(Mutation::new);
    }

    /** Byte sequences no UTF-8 decoder accepts: stray continuations, overlongs, surrogates, truncations, F5-FF. */
    @Provide
    Arbitrary<byte[]> badUtf8() {
        Arbitrary<byte[]> known = Arbitraries.of(
                new byte[] { (byte) 0x80 }, new byte[] { (byte) 0xBF }, new byte[] { (byte) 0xC0, (byte) 0xAF },
                new byte[] { (byte) 0xC1, (byte) 0xBF }, new byte[] { (byte) 0xE0, (byte) 0x80, (byte) 0xAF },
                new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, new byte[] { (byte) 0xED, (byte) 0xBF, (byte) 0xBF },
                new byte[] { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, new byte[] { (byte) 0xF5 },
                new byte[] { (byte) 0xFF }, new byte[] { (byte) 0xFE, (byte) 0xFF }, new byte[] { (byte) 0xE2, (byte) 0x82 },
                new byte[] { (byte) 0xF0, (byte) 0x9F, (byte) 0x98 }, new byte[] { (byte) 0xC2 },
                new byte[] { (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80 });
        Arbitrary<byte[]> random = Arbitraries.bytes().between((byte) 0x80, (byte) 0xFF).array(byte[].class).ofMinSize(1).ofMaxSize(6);
        return Arbitraries.oneOf(known, random, known.list().ofMinSize(2).ofMaxSize(4).map(l -> concat(l.toArray(byte[][]::new))));
    }

    @Provide
    Arbitrary<List<byte[]>> badUtf8Splices() {
        return badUtf8().list().ofMinSize(1).ofMaxSize(3);
    }
}
