package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.switchboard.auth.AuthConfig;
import io.switchboard.auth.RejectReason;
import io.switchboard.auth.Revocations;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.cluster.Bus;
import io.switchboard.cluster.BusUnavailableException;
import io.switchboard.cluster.NodeIdentity;
import io.switchboard.cluster.RoomMessage;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.presence.Presence;
import io.switchboard.protocol.BadFrameException;
import io.switchboard.protocol.ClientFrame;
import io.switchboard.protocol.Disconnect;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameDecoder;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.HistorySpec;
import io.switchboard.rooms.LocalRooms;
import io.switchboard.rooms.PresenceMode;
import io.switchboard.rooms.RoomAccess;
import io.switchboard.rooms.RoomRules;
import io.switchboard.transport.Member;

/**
 * The session life of a connection: welcome, the guards every frame passes (PROTOCOL section 4),
 * the five ops, token expiry with or without client traffic, and leaving everything on close.
 */
@ApplicationScoped
public class Dispatcher implements ClientFrame.Handler<ClientSession> {
    private static final String EXPIRED_REASON = "token expired";

    private final FrameDecoder decoder = new FrameDecoder();
    private final TokenVerifier verifier;
    private final RoomRules rules;
    private final LocalRooms<Member> rooms;
    private final Fanout fanout;
    private final Bus bus;
    private final NodeIdentity node;
    private final LocalUsers users;
    private final GatewayMetrics metrics;
    private final Revocations revocations;
    private final Presence presence;
    private final WallClock clock;
    private final long skewMillis;
    private final long noticeMillis;

    public Dispatcher(TokenVerifier verifier, RoomRules rules, Fanout fanout, Bus bus, NodeIdentity node,
            LocalUsers users, GatewayMetrics metrics, Revocations revocations, WallClock clock, AuthConfig auth,
            Presence presence) {
        this.verifier = verifier;
        this.rules = rules;
        this.rooms = fanout.rooms();
        this.fanout = fanout;
        this.bus = bus;
        this.node = node;
        this.users = users;
        this.metrics = metrics;
        this.revocations = revocations;
        this.presence = presence;
        this.clock = clock;
        this.skewMillis = verifier.clockSkewMillis();
        this.noticeMillis = auth.expiringNotice().toMillis();
    }

    void opened(ClientSession session) {
        VerifiedToken token = session.token();
        users.add(session);
        session.send(ServerFrames.welcome(session.id(), token.sub(), token.roles(), token.expSeconds(), node.name()));
        session.armExpiry(clock.millis(), noticeMillis, skewMillis);
    }

    void frame(ClientSession session, String text) {
        long now = System.nanoTime();
        ClientFrame frame = null;
        BadFrameException bad = null;
        try {
            frame = decoder.decode(text);
        } catch (BadFrameException e) {
            bad = e;
        }
        String ref = frame != null ? frame.ref() : bad.ref();
        metrics.frameIn(frame != null ? frame.op() : "invalid");
        if (expire(session, ref) || !withinRate(session, ref, now)) {
            return;
        }
        if (bad != null) {
            badFrame(session, ref, bad.reason(), now);
        } else {
            frame.dispatch(this, session);
        }
    }

    void binaryFrame(ClientSession session) {
        long now = System.nanoTime();
        metrics.frameIn("binary");
        if (!expire(session, null) && withinRate(session, null, now)) {
            badFrame(session, null, "binary frames are not supported", now);
        }
    }

    /** The inbound budget: over it, {@code rate_limited}; over it too often, close 4429. */
    private boolean withinRate(ClientSession session, String ref, long now) {
        if (session.takeFrameToken(now)) {
            return true;
        }
        if (session.rateLimitedTooOften(now)) {
            denyAndClose(session, ref, ErrorCode.RATE_LIMITED, "sustained rate limit abuse", Disconnect.RATE_ABUSE);
        } else {
            deny(session, ref, ErrorCode.RATE_LIMITED, "too many frames; slow down");
        }
        return false;
    }

    /** {@code bad_request}; too many bad frames in the abuse window closes with 4400. */
    private void badFrame(ClientSession session, String ref, String reason, long now) {
        if (session.badFramesTooOften(now)) {
            denyAndClose(session, ref, ErrorCode.BAD_REQUEST, reason, Disconnect.BAD_FRAMES);
        } else {
            deny(session, ref, ErrorCode.BAD_REQUEST, reason);
        }
    }

    void closed(ClientSession session) {
        session.cancelExpiry();
        for (String room : session.removeAllRooms()) {
            removeMember(room, session);
        }
        users.remove(session);
        session.releaseSlot();
    }

    @Override
    public void join(ClientSession session, ClientFrame.Join frame) {
        String room = frame.room();
        if (session.inRoom(room)) {
            session.send(ServerFrames.ok(frame.ref()));
            return;
        }
        if (session.atRoomLimit()) {
            deny(session, frame.ref(), ErrorCode.FORBIDDEN, "room limit reached");
            return;
        }
        VerifiedToken token = session.token();
        RoomAccess access = rules.access(token.sub(), token.roles(), room);
        if (!access.join()) {
            deny(session, frame.ref(), ErrorCode.FORBIDDEN, denial(access, "join"));
            return;
        }
        HistorySpec history = rules.history(room);
        if (history != null) {
            // The engine answers, in order with the room's messages (PROTOCOL section 8).
            session.addRoom(room, access);
            HistoryMembership join = new HistoryMembership(session, room, history, frame.since(), access, frame.ref(),
                    rooms, fanout, this);
            session.joinStarted(room, join);
            // presence counts the connection before the engine answers; a presence store out of reach does not refuse the join
            presence.join(room, token.sub()).onFailure().recoverWithNull().subscribe().with(counted -> bus.joinHistory(join));
            return;
        }
        String name = rooms.join(room, session.member());
        session.addRoom(name, access);
        // A since in a room without history recovers nothing (PROTOCOL section 8).
        String ok = frame.since() == null ? ServerFrames.ok(frame.ref()) : ServerFrames.joined(frame.ref(), null, false);
        // Answered once this node receives the room's traffic from the other nodes, and presence counts
        // it; when the room's traffic cannot be confirmed the membership is rolled back and the join
        // refused (PROTOCOL section 7). A presence store out of reach does not refuse the join.
        Uni.combine().all().unis(bus.roomChanged(name), presence.join(name, token.sub()).onFailure().recoverWithNull())
                .discardItems()
                .subscribe().with(subscribed -> session.send(ok),
                        failure -> session.loop().execute(() -> rollBackJoin(session, name, access, frame.ref(),
                                failure instanceof BusUnavailableException ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL,
                                failure instanceof BusUnavailableException ? failure.getMessage() : "join failed")));
    }

    /** On the connection's own loop, which owns its room table; a leave or close since then wins. */
    void rollBackJoin(ClientSession session, String room, RoomAccess access, String ref, ErrorCode code, String reason) {
        if (session.removeRoom(room, access)) {
            removeMember(room, session);
        }
        deny(session, ref, code, reason);
    }

    @Override
    public void leave(ClientSession session, ClientFrame.Leave frame) {
        if (!session.removeRoom(frame.room())) {
            deny(session, frame.ref(), ErrorCode.NOT_JOINED, "not a member of this room");
            return;
        }
        HistoryMembership pending = session.takeJoin(frame.room());
        if (pending != null && !pending.withdraw()) {
            // left before the engine admitted the join: the join is answered as joined, then left
            session.send(ServerFrames.ok(pending.ref()));
        }
        removeMember(frame.room(), session).subscribe().with(left -> session.send(ServerFrames.ok(frame.ref())),
                failure -> session.send(ServerFrames.ok(frame.ref())));
    }

    @Override
    public void publish(ClientSession session, ClientFrame.Publish frame) {
        VerifiedToken token = session.token();
        RoomAccess access = session.access(frame.room());
        if (access == null) {
            access = rules.access(token.sub(), token.roles(), frame.room());
            if (access.publish() && access.publishRequiresMembership()) {
                deny(session, frame.ref(), ErrorCode.NOT_JOINED, "join the room before publishing");
                return;
            }
        }
        if (!access.publish()) {
            deny(session, frame.ref(), ErrorCode.FORBIDDEN, denial(access, "publish"));
            return;
        }
        RoomMessage message = RoomMessage.of(node.nextMessageId(), frame.room(), token.sub(), clock.millis(),
                frame.data());
        bus.publish(message, false).subscribe().with(
                offset -> session.send(ServerFrames.published(frame.ref(), message.id(), offset)),
                failure -> {
                    if (failure instanceof BusUnavailableException) {
                        deny(session, frame.ref(), ErrorCode.UNAVAILABLE, failure.getMessage());
                    } else {
                        deny(session, frame.ref(), ErrorCode.INTERNAL, "publish failed");
                    }
                });
    }

    @Override
    public void refresh(ClientSession session, ClientFrame.Refresh frame) {
        verifier.verify(frame.token()).onComplete(verified -> {
            if (verified.failed()) {
                deny(session, frame.ref(), ErrorCode.BAD_REQUEST, "invalid token: " + RejectReason.of(verified.cause()).wire());
            } else {
                refreshed(session, frame, verified.result());
            }
        });
    }

    private void refreshed(ClientSession session, ClientFrame.Refresh frame, VerifiedToken fresh) {
        if (!fresh.sub().equals(session.token().sub())) {
            deny(session, frame.ref(), ErrorCode.FORBIDDEN, "token is for another user");
            return;
        }
        if (!verifier.hasRequiredRole(fresh)) {
            deny(session, frame.ref(), ErrorCode.FORBIDDEN, "token lacks every role the endpoint requires");
            return;
        }
        if (revocations.isRevoked(fresh)) {
            deny(session, frame.ref(), ErrorCode.FORBIDDEN, "token revoked");
            return;
        }
        session.replaceToken(fresh);
        for (String room : session.reevaluateRooms(name -> rules.access(fresh.sub(), fresh.roles(), name))) {
            removeMember(room, session);
            session.send(ServerFrames.left(room, "forbidden"));
        }
        session.armExpiry(clock.millis(), noticeMillis, skewMillis);
        session.send(ServerFrames.ok(frame.ref()));
    }

    @Override
    public void presence(ClientSession session, ClientFrame.Presence frame) {
        String room = frame.room();
        VerifiedToken token = session.token();
        if (!session.inRoom(room)) {
            RoomAccess access = rules.access(token.sub(), token.roles(), room);
            if (!access.join()) {
                deny(session, frame.ref(), ErrorCode.FORBIDDEN, denial(access, "see the presence of"));
                return;
            }
        }
        if (rules.presence(room) == PresenceMode.OFF) {
            deny(session, frame.ref(), ErrorCode.BAD_REQUEST, "presence is off for this room");
            return;
        }
        presence.query(room).subscribe().with(
                answer -> session.send(ServerFrames.presence(frame.ref(), answer.count(), answer.users(), answer.connections())),
                failure -> deny(session, frame.ref(), ErrorCode.UNAVAILABLE, "presence is unreachable"));
    }

    /** @return completes once presence no longer counts the connection (the change itself is under way already) */
    private Uni<Void> removeMember(String room, ClientSession session) {
        HistoryMembership pending = session.takeJoin(room);
        if (pending != null) {
            pending.withdraw();
        }
        if (rooms.leave(room, session.member())) {
            bus.roomChanged(room).subscribe().with(unsubscribed -> {
            }, failure -> {
                // the node may go on receiving the room's traffic it no longer needs
                session.warn("could not stop receiving room %s: %s", room, failure.getMessage());
                metrics.failed("unsubscribe");
            });
        }
        return presence.leave(room, session.token().sub());
    }

    /**
     * The expiry guard: a frame after {@code exp} + skew is answered {@code token_expired} and the
     * connection closed with 4401. Reads one long; no claim parsing per frame.
     *
     * @return true when the session has expired and is being closed
     */
    private boolean expire(ClientSession session, String ref) {
        if (clock.millis() <= session.token().expMillis() + skewMillis) {
            return false;
        }
        denyAndClose(session, ref, ErrorCode.TOKEN_EXPIRED, EXPIRED_REASON, Disconnect.TOKEN_EXPIRED);
        return true;
    }

    private void deny(ClientSession session, String ref, ErrorCode code, String reason) {
        metrics.denied(code.wire());
        session.send(ServerFrames.error(ref, code, reason));
    }

    /** The error reply, then the close: the reply is written first, on the same socket. */
    private void denyAndClose(ClientSession session, String ref, ErrorCode code, String reason, Disconnect why) {
        metrics.denied(code.wire());
        session.sendAndClose(ServerFrames.error(ref, code, reason), why);
    }

    private static String denial(RoomAccess access, String op) {
        return access.matched() ? "not allowed to " + op + " this room" : "no rule allows this room";
    }
}
