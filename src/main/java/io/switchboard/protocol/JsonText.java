package io.switchboard.protocol;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;

/** JSON under the bounds every client-supplied text is read with. */
public final class JsonText {
    /**
     * Frames are bounded by the frame size limit; these bound the work a hostile one can ask for:
     * nesting depth, and number length (numbers are skipped, never parsed, but still scanned).
     */
    static final JsonFactory BOUNDED = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(100).build())
            .build();

    private JsonText() {
    }

    /** Whether the text is exactly one JSON value. */
    public static boolean isSingleValue(String text) {
        try (JsonParser p = BOUNDED.createParser(text)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
