package io.jwg.security;

import io.jwg.noise.Constants;
import io.jwg.noise.Keypair;
import io.jwg.noise.Messages;
import io.jwg.noise.ReplayWindow;
import io.jwg.security.ProtocolWorld.Outcome;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes every inbound path of the protocol core with a datagram of any size and type, as the
 * device dispatches it ({@link ProtocolWorld#receive}). Nothing may throw, and beyond that:
 * <ul>
 *   <li>a datagram the fuzzer made up is never accepted (no handshake, session, cookie or packet);
 *   <li>a mutated genuine message is accepted only if every authenticated byte is unchanged;
 *   <li>transport counters: the replay window accepts exactly what a naive model accepts (each
 *       counter once, never below the window, never at or past REJECT_AFTER_MESSAGES), and nothing
 *       once the session is REJECT_AFTER_TIME old.
 * </ul>
 * The first input byte picks the mode (see {@link #datagram}). Seeds:
 * src/test/resources/io/jwg/security/InboundDatagramFuzzTestInputs/datagram/.
 */
class InboundDatagramFuzzTest {
    static final int RAW = 0, FIXED_HEADERS = 1, MUTATE = 2, COUNTERS = 3;

    @BeforeAll
    static void java25() {
        JazzerJava25.install();
    }

    @FuzzTest(maxDuration = "60s")
    void datagram(byte[] data) {
        check(data);
    }

    /** The whole oracle, callable from plain unit tests too. */
    static void check(byte[] data) {
        if (data.length == 0) return;
        int selector = data[0] & 0xff;
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        switch (selector % 4) {
            case RAW -> raw(rest, (selector & 0x80) != 0);
            case FIXED_HEADERS -> fixedHeaders(rest, (selector & 0x80) != 0);
            case MUTATE -> mutate(rest);
            default -> counters(rest);
        }
    }

    /** Any bytes at both ends: never accepted (only a cookie reply, when under load and MAC1 is right). */
    static void raw(byte[] d, boolean underLoad) {
        ProtocolWorld w = new ProtocolWorld().initiate();
        expectRejected(w.receive(w.server, d.clone(), underLoad, null), d);
        expectRejected(w.receive(w.client, d.clone(), underLoad, null), d);
    }

    /**
     * Any bytes made to pass the cheap checks: type header, the receiver index of a live handshake or
     * session, and a correct MAC1, so that the DH and AEAD paths run on garbage.
     */
    static void fixedHeaders(byte[] d, boolean underLoad) {
        ProtocolWorld w = new ProtocolWorld().complete();
        w.clock.advance(Constants.REKEY_TIMEOUT + 1);
        byte[] second = w.client.tunnel.initiateHandshake(); // a pending handshake at the client
        int pending = Messages.getInt(second, Messages.INIT_SENDER);
        Keypair serverKp = w.serverReceiveKeypair();
        int type = d.length > 0 ? 1 + ((d[0] & 0xff) % 4) : 4;
        int size = switch (type) {
            case 1 -> Constants.INITIATION_SIZE;
            case 2 -> Constants.RESPONSE_SIZE;
            case 3 -> Constants.COOKIE_REPLY_SIZE;
            default -> Math.max(Constants.TRANSPORT_MIN_SIZE, d.length);
        };
        byte[] m = Arrays.copyOf(d, size);
        Messages.putType(m, 0, type);
        switch (type) {
            case 1 -> {
                ProtocolWorld.fixMac1(m, ProtocolWorld.SERVER_MAC1_KEY);
                expectRejected(w.receive(w.server, m, underLoad, null), m);
            }
            case 2 -> {
                Messages.putInt(m, Messages.RESP_RECEIVER, pending);
                ProtocolWorld.fixMac1(m, ProtocolWorld.CLIENT_MAC1_KEY);
                expectRejected(w.receive(w.client, m, underLoad, null), m);
            }
            case 3 -> {
                Messages.putInt(m, Messages.COOKIE_RECEIVER, pending);
                expectRejected(w.receive(w.client, m, underLoad, null), m);
            }
            default -> {
                Messages.putInt(m, Messages.DATA_RECEIVER, serverKp.localIndex());
                expectRejected(w.receive(w.server, m, underLoad, null), m);
            }
        }
    }

    /**
     * A genuine message XORed with fuzzer bytes (and optionally resized and given a fresh MAC1):
     * accepted only when every authenticated byte is unchanged.
     * Layout: kind/flags, offset, length byte, then the XOR pattern.
     */
    static void mutate(byte[] d) {
        if (d.length < 3) return;
        int flags = d[0] & 0xff;
        int kind = flags % 4;
        boolean fixMac1 = (flags & 0x10) != 0, resize = (flags & 0x20) != 0, underLoad = (flags & 0x40) != 0;
        ProtocolWorld w = new ProtocolWorld();
        byte[] genuine;
        ProtocolWorld.Side to;
        byte[] mac1Key;
        int authFrom, authTo;
        switch (kind) {
            case 0 -> {
                genuine = w.initiate().initiation;
                to = w.server;
                mac1Key = ProtocolWorld.SERVER_MAC1_KEY;
                authFrom = Messages.INIT_EPHEMERAL;
                authTo = Messages.INIT_MAC1;
            }
            case 1 -> {
                genuine = w.respond().response;
                to = w.client;
                mac1Key = ProtocolWorld.CLIENT_MAC1_KEY;
                authFrom = Messages.RESP_RECEIVER;
                authTo = Messages.RESP_MAC1;
            }
            case 2 -> {
                w.initiate();
                if (w.receive(w.server, w.initiation.clone(), true, null) != Outcome.COOKIE_REPLY_SENT) {
                    throw new AssertionError("no cookie reply under load");
                }
                genuine = w.lastCookieReply;
                to = w.client;
                mac1Key = null;
                authFrom = Messages.COOKIE_RECEIVER;
                authTo = Constants.COOKIE_REPLY_SIZE;
                underLoad = false;
            }
            default -> {
                w.complete();
                genuine = w.transport(d[1] & 0xff, d[2] & 0x7f);
                to = w.server;
                mac1Key = null;
                authFrom = 0;
                authTo = genuine.length;
                underLoad = false;
            }
        }
        int length = resize ? (d[2] & 0xff) * 2 : genuine.length;
        byte[] m = Arrays.copyOf(genuine, length);
        int offset = d[1] & 0xff;
        for (int i = 3; i < d.length && length > 0; i++) m[(offset + i - 3) % length] ^= d[i];
        if (fixMac1 && mac1Key != null) ProtocolWorld.fixMac1(m, mac1Key);
        Outcome o = w.receive(to, m.clone(), underLoad, null);
        boolean accepted = o == Outcome.INITIATION_ACCEPTED || o == Outcome.RESPONSE_ACCEPTED
                || o == Outcome.COOKIE_ACCEPTED || o == Outcome.TRANSPORT_OPENED;
        if (accepted && (m.length != genuine.length || !Arrays.equals(m, authFrom, authTo, genuine, authFrom, authTo))) {
            throw new AssertionError("a forged message was accepted: " + o + " " + hex(m) + " (genuine " + hex(genuine) + ")");
        }
    }

    /**
     * Genuine transport messages with fuzzer-chosen counters, sizes and delays, compared with a model
     * of the replay window and the key lifetime. Records of 9 bytes: counter (little-endian), then a
     * byte whose top bit advances the clock by (low 7 bits) seconds and otherwise gives the payload size.
     */
    static void counters(byte[] d) {
        ProtocolWorld w = new ProtocolWorld().complete();
        long created = w.clock.nanos();
        Set<Long> seen = new HashSet<>();
        // a counter chosen again is sent again as the same bytes (a replay): a real sender never
        // seals twice with one key and nonce
        Map<Long, byte[]> sent = new HashMap<>();
        boolean any = false;
        long max = 0;
        for (int i = 0; i + 9 <= d.length; i += 9) {
            long counter = Messages.getLong(d, i);
            int b = d[i + 8] & 0xff;
            int size = 0;
            if ((b & 0x80) != 0) w.clock.advance((b & 0x7fL) * 1_000_000_000L);
            else size = b;
            int plain = size;
            byte[] m = sent.computeIfAbsent(counter, c -> w.transport(c, plain)).clone();
            boolean tooOld = any && Long.compareUnsigned(counter, max) <= 0 && Long.compareUnsigned(max - counter, ReplayWindow.WINDOW_SIZE) > 0;
            boolean expected = w.clock.nanos() - created < Constants.REJECT_AFTER_TIME
                    && Long.compareUnsigned(counter, Constants.REJECT_AFTER_MESSAGES) < 0
                    && !seen.contains(counter) && !tooOld;
            boolean opened = w.receive(w.server, m, false, null) == Outcome.TRANSPORT_OPENED;
            if (opened != expected) {
                throw new AssertionError("counter " + Long.toUnsignedString(counter) + " (greatest accepted "
                        + (any ? Long.toUnsignedString(max) : "none") + "): " + (opened ? "accepted" : "rejected")
                        + ", expected " + (expected ? "accepted" : "rejected"));
            }
            if (opened) {
                seen.add(counter);
                if (!any || Long.compareUnsigned(counter, max) > 0) max = counter;
                any = true;
            }
        }
    }

    private static void expectRejected(Outcome o, byte[] d) {
        if (o != Outcome.DROPPED && o != Outcome.COOKIE_REPLY_SENT) {
            throw new AssertionError("made-up datagram accepted (" + o + "): " + hex(d));
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 200); i++) sb.append(String.format("%02x", b[i]));
        return b.length > 200 ? sb + "..." : sb.toString();
    }
}
