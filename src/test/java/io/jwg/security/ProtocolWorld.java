package io.jwg.security;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Key;
import io.jwg.crypto.X25519;
import io.jwg.noise.Clock;
import io.jwg.noise.Constants;
import io.jwg.noise.CookieChecker;
import io.jwg.noise.IndexTable;
import io.jwg.noise.Keypair;
import io.jwg.noise.LocalIdentity;
import io.jwg.noise.Messages;
import io.jwg.noise.Responder;
import io.jwg.noise.Tunnel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A client and a server protocol core (the io.jwg.noise classes, no I/O) plus the exact dispatch
 * {@link io.jwg.device.Device} applies to a received datagram: {@link Messages#typeOf}, then for
 * handshake messages {@link CookieChecker#checkMac1}, under load {@link CookieChecker#checkMac2} and
 * {@link CookieChecker#createReply}, {@link Responder#consumeInitiation}, {@link Tunnel#consumeResponse}
 * and {@link Tunnel#consumeCookieReply} after an index lookup; for transport messages the index lookup,
 * {@link Keypair#canReceive} and {@link Keypair#open}. Used by the fuzzer and by the regression tests
 * that pin its findings.
 *
 * <p>Deterministic keys, a fake clock; a fresh world per input so that every finding reproduces.
 */
final class ProtocolWorld {
    static final Key CLIENT_PRIVATE = fixedKey("jwg fuzz client");
    static final Key SERVER_PRIVATE = fixedKey("jwg fuzz server");
    static final Key PSK = Key.of(Blake2s.hash("jwg fuzz psk".getBytes(StandardCharsets.US_ASCII)));
    static final byte[] SERVER_MAC1_KEY = Blake2s.hash(Constants.LABEL_MAC1, SERVER_PRIVATE.publicKey().bytes());
    static final byte[] CLIENT_MAC1_KEY = Blake2s.hash(Constants.LABEL_MAC1, CLIENT_PRIVATE.publicKey().bytes());

    /** A clock that only moves when told to. */
    static final class ManualClock implements Clock {
        long nanos = 1_000_000_000_000L;
        long wall = 1_700_000_000_000_000_000L;

        @Override
        public long nanos() {
            return nanos;
        }

        @Override
        public long wallNanos() {
            return wall;
        }

        void advance(long d) {
            nanos += d;
            wall += d;
        }
    }

    /** One end: identity, cookie checker, index table, and its tunnel to the other end. */
    static final class Side {
        final LocalIdentity id;
        final CookieChecker cookies;
        final IndexTable indices = new IndexTable();
        final Tunnel tunnel;

        Side(Key priv, Key remotePublic, ManualClock clock) {
            id = new LocalIdentity(priv);
            cookies = new CookieChecker(id, clock);
            tunnel = new Tunnel(id, remotePublic, PSK, 0, indices, clock);
        }
    }

    /** What a received datagram led to (for the test oracles). */
    enum Outcome { DROPPED, COOKIE_REPLY_SENT, COOKIE_ACCEPTED, INITIATION_ACCEPTED, RESPONSE_ACCEPTED, TRANSPORT_OPENED }

    final ManualClock clock = new ManualClock();
    final Side client = new Side(CLIENT_PRIVATE, SERVER_PRIVATE.publicKey(), clock);
    final Side server = new Side(SERVER_PRIVATE, CLIENT_PRIVATE.publicKey(), clock);
    /** The genuine messages of this world's handshake (null until made). */
    byte[] initiation, response;
    /** The last cookie reply the server produced (under load). */
    byte[] lastCookieReply;

    /** The client starts a handshake: {@link #initiation} is in flight, not yet received. */
    ProtocolWorld initiate() {
        initiation = client.tunnel.initiateHandshake();
        if (initiation == null) throw new IllegalStateException("no initiation");
        return this;
    }

    /** ... the server answered: {@link #response} is in flight to the client. */
    ProtocolWorld respond() {
        if (initiation == null) initiate();
        if (receive(server, initiation.clone(), false, null) != Outcome.INITIATION_ACCEPTED) {
            throw new IllegalStateException("genuine initiation refused");
        }
        return this;
    }

    /** ... and the client has its session: transport keys on both ends. */
    ProtocolWorld complete() {
        if (response == null) respond();
        if (receive(client, response.clone(), false, null) != Outcome.RESPONSE_ACCEPTED) {
            throw new IllegalStateException("genuine response refused");
        }
        return this;
    }

    /** A genuine transport message from the client to the server with this counter and payload length. */
    byte[] transport(long counter, int plainLength) {
        Keypair kp = client.tunnel.currentKeypair();
        int padded = (plainLength + 15) & ~15;
        byte[] buf = new byte[Constants.TRANSPORT_HEADER_SIZE + padded + Constants.TAG_SIZE];
        for (int i = 0; i < plainLength; i++) buf[Messages.DATA_PAYLOAD + i] = (byte) (i * 31 + 7);
        int n = kp.seal(counter, buf, 0, padded);
        return Arrays.copyOf(buf, n);
    }

    /** The server-side keypair the client's transport messages are addressed to. */
    Keypair serverReceiveKeypair() {
        Keypair kp = client.tunnel.currentKeypair();
        IndexTable.Entry e = kp == null ? null : server.indices.lookup(kp.remoteIndex());
        return e == null ? null : e.keypair();
    }

    /**
     * Receives a datagram at one side as the device does. {@code underLoad} makes handshake messages
     * need MAC2 for {@code source} (the address bytes MAC2 is bound to). Never throws for any input:
     * that is what the fuzzer checks.
     */
    Outcome receive(Side at, byte[] d, boolean underLoad, byte[] source) {
        int type = Messages.typeOf(d, 0, d.length);
        switch (type) {
            case Constants.TYPE_TRANSPORT -> {
                IndexTable.Entry e = at.indices.lookup(Messages.getInt(d, Messages.DATA_RECEIVER));
                Keypair kp = e == null ? null : e.keypair();
                if (kp == null || !kp.canReceive(clock.nanos())) return Outcome.DROPPED;
                int n = kp.open(d, 0, d.length);
                if (n < 0) return Outcome.DROPPED;
                e.tunnel().packetReceived(kp, n > 0);
                return Outcome.TRANSPORT_OPENED;
            }
            case Constants.TYPE_COOKIE_REPLY -> {
                IndexTable.Entry e = at.indices.lookup(Messages.getInt(d, Messages.COOKIE_RECEIVER));
                return e != null && e.tunnel().consumeCookieReply(d, 0) ? Outcome.COOKIE_ACCEPTED : Outcome.DROPPED;
            }
            case Constants.TYPE_INITIATION, Constants.TYPE_RESPONSE -> {
                if (!at.cookies.checkMac1(d, 0, d.length)) return Outcome.DROPPED;
                if (underLoad) {
                    byte[] src = source == null ? new byte[] {10, 0, 0, 9, (byte) 0xca, 0x6c} : source;
                    if (!at.cookies.checkMac2(d, 0, d.length, src)) {
                        lastCookieReply = at.cookies.createReply(d, 0, d.length, src);
                        if (Messages.typeOf(lastCookieReply, 0, lastCookieReply.length) != Constants.TYPE_COOKIE_REPLY) {
                            throw new AssertionError("cookie reply is not a well-formed type-3 message");
                        }
                        return Outcome.COOKIE_REPLY_SENT;
                    }
                }
                if (type == Constants.TYPE_INITIATION) {
                    Responder.Result r = Responder.consumeInitiation(at.id, pub -> at.tunnel.remoteKey().equals(Key.of(pub)) ? at.tunnel : null, d, 0);
                    if (r == null) return Outcome.DROPPED;
                    if (r.tunnel() != at.tunnel || r.response().length != Constants.RESPONSE_SIZE) throw new AssertionError("bad responder result");
                    response = r.response();
                    return Outcome.INITIATION_ACCEPTED;
                }
                IndexTable.Entry e = at.indices.lookup(Messages.getInt(d, Messages.RESP_RECEIVER));
                if (e == null || e.keypair() != null) return Outcome.DROPPED;
                return e.tunnel().consumeResponse(d, 0) ? Outcome.RESPONSE_ACCEPTED : Outcome.DROPPED;
            }
            default -> {
                return Outcome.DROPPED;
            }
        }
    }

    /** Writes a MAC1 valid for the receiver whose MAC1 key is given into the last 32 bytes of msg (MAC2 zeroed). */
    static void fixMac1(byte[] msg, byte[] mac1Key) {
        if (msg.length < 2 * Blake2s.MAC_LEN) return;
        int mac1 = msg.length - 2 * Blake2s.MAC_LEN;
        Blake2s.mac(mac1Key, msg, 0, mac1, msg, mac1);
        Arrays.fill(msg, msg.length - Blake2s.MAC_LEN, msg.length, (byte) 0);
    }

    private static Key fixedKey(String seed) {
        byte[] k = Blake2s.hash(seed.getBytes(StandardCharsets.US_ASCII));
        X25519.clamp(k);
        return Key.of(k);
    }
}
