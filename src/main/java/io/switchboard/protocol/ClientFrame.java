package io.switchboard.protocol;

/**
 * A decoded, validated client frame. The op set is closed; {@link Handler} has one method per op,
 * so adding an op does not compile until every handler knows it.
 */
public sealed interface ClientFrame {

    /** Client correlation string, or null when the client sent none. */
    String ref();

    /** The {@code op} as on the wire. */
    String op();

    <S> void dispatch(Handler<S> handler, S session);

    interface Handler<S> {
        void join(S session, Join frame);

        void leave(S session, Leave frame);

        void publish(S session, Publish frame);

        void refresh(S session, Refresh frame);

        void presence(S session, Presence frame);
    }

    /** @param since where the client's view of a history room ends, to recover from; null when absent */
    record Join(String ref, String room, Position since) implements ClientFrame {
        @Override
        public String op() {
            return "join";
        }

        @Override
        public <S> void dispatch(Handler<S> handler, S session) {
            handler.join(session, this);
        }
    }

    record Leave(String ref, String room) implements ClientFrame {
        @Override
        public String op() {
            return "leave";
        }

        @Override
        public <S> void dispatch(Handler<S> handler, S session) {
            handler.leave(session, this);
        }
    }

    /** {@code data} is the raw JSON text of the payload, kept verbatim so it is never re-encoded. */
    record Publish(String ref, String room, String data) implements ClientFrame {
        @Override
        public String op() {
            return "publish";
        }

        @Override
        public <S> void dispatch(Handler<S> handler, S session) {
            handler.publish(session, this);
        }
    }

    record Refresh(String ref, String token) implements ClientFrame {
        @Override
        public String op() {
            return "refresh";
        }

        @Override
        public <S> void dispatch(Handler<S> handler, S session) {
            handler.refresh(session, this);
        }
    }

    record Presence(String ref, String room) implements ClientFrame {
        @Override
        public String op() {
            return "presence";
        }

        @Override
        public <S> void dispatch(Handler<S> handler, S session) {
            handler.presence(session, this);
        }
    }
}
