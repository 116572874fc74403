package io.jwg.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two protocol cores talking to each other in memory: handshake, transport, replay, cookies. */
class TunnelTest {
    final FakeClock clock = new FakeClock();
    Key aPriv, bPriv, psk;
    LocalIdentity aId, bId;
    IndexTable aIdx, bIdx;
    Tunnel aToB, bToA;
    CookieChecker aCookies, bCookies;

    @BeforeEach
    void setUp() {
        aPriv = Key.generatePrivate();
        bPriv = Key.generatePrivate();
        psk = Key.generatePreshared();
        aId = new LocalIdentity(aPriv);
        bId = new LocalIdentity(bPriv);
        aIdx = new IndexTable();
        bIdx = new IndexTable();
        aToB = new Tunnel(aId, bPriv.publicKey(), psk, 0, aIdx, clock);
        bToA = new Tunnel(bId, aPriv.publicKey(), psk, 0, bIdx, clock);
        aCookies = new CookieChecker(aId, clock);
        bCookies = new CookieChecker(bId, clock);
    }

    PeerDirectory dirB() {
        return pub -> Arrays.equals(pub, aPriv.publicKey().bytes()) ? bToA : null;
    }

    /** Runs a full handshake a -> b and returns b's response. */
    byte[] handshake() {
        byte[] init = aToB.initiateHandshake();
        assertThat(init).hasSize(148);
        assertThat(bCookies.checkMac1(init, 0, init.length)).isTrue();
        Responder.Result r = Responder.consumeInitiation(bId, dirB(), init, 0);
        assertThat(r).isNotNull();
        assertThat(r.tunnel()).isSameAs(bToA);
        assertThat(r.response()).hasSize(92);
        assertThat(aCookies.checkMac1(r.response(), 0, 92)).isTrue();
        IndexTable.Entry e = aIdx.lookup(Messages.getInt(r.response(), Messages.RESP_RECEIVER));
        assertThat(e.tunnel()).isSameAs(aToB);
        assertThat(aToB.consumeResponse(r.response(), 0)).isTrue();
        return r.response();
    }

    static byte[] packet(String text, int headroom) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        int padded = (p.length + 15) & ~15;
        byte[] buf = new byte[headroom + padded + 16];
        System.arraycopy(p, 0, buf, headroom, p.length);
        return buf;
    }

    int seal(Tunnel t, byte[] buf, int plainLen) {
        Keypair kp = t.sendingKeypair();
        assertThat(kp).isNotNull();
        int padded = (plainLen + 15) & ~15;
        int n = kp.seal(kp.nextCounter(), buf, 0, padded);
        t.packetSent(plainLen > 0);
        return n;
    }

    /** Opens a transport message as the device would: index lookup, open, timers. */
    int open(IndexTable idx, Tunnel expected, byte[] buf, int len) {
        IndexTable.Entry e = idx.lookup(Messages.getInt(buf, Messages.DATA_RECEIVER));
        if (e == null || e.keypair() == null) return -1;
        assertThat(e.tunnel()).isSameAs(expected);
        int n = e.keypair().open(buf, 0, len);
        if (n >= 0) expected.packetReceived(e.keypair(), n > 0);
        return n;
    }

    @Test
    void handshakeThenTransportBothWays() {
        handshake();
        // b has the keypair as "next" until a's first packet confirms it
        assertThat(bToA.sendingKeypair()).isNull();
        byte[] buf = packet("hello from a", 16);
        int n = seal(aToB, buf, 12);
        assertThat(n).isEqualTo(16 + 16 + 16);
        assertThat(new String(buf, 16, 12, StandardCharsets.UTF_8)).isNotEqualTo("hello from a");
        int m = open(bIdx, bToA, buf, n);
        assertThat(m).isEqualTo(16);
        assertThat(new String(buf, 16, 12, StandardCharsets.UTF_8)).isEqualTo("hello from a");
        assertThat(bToA.sendingKeypair()).isNotNull();

        byte[] back = packet("and back", 16);
        int k = seal(bToA, back, 8);
        assertThat(open(aIdx, aToB, back, k)).isEqualTo(16);
        assertThat(new String(back, 16, 8, StandardCharsets.UTF_8)).isEqualTo("and back");
        assertThat(aToB.lastHandshakeWallNanos()).isEqualTo(clock.wall);
    }

    @Test
    void replayedAndForgedTransportIsDropped() {
        handshake();
        byte[] buf = packet("once", 16);
        int n = seal(aToB, buf, 4);
        byte[] copy = Arrays.copyOf(buf, n);
        assertThat(open(bIdx, bToA, buf, n)).isEqualTo(16);
        assertThat(open(bIdx, bToA, copy, n)).isEqualTo(Keypair.REPLAYED);
        byte[] buf2 = packet("twice", 16);
        int n2 = seal(aToB, buf2, 5);
        buf2[20] ^= 1; // flip a ciphertext bit
        assertThat(open(bIdx, bToA, buf2, n2)).isEqualTo(Keypair.FORGED);
    }

    @Test
    void keepaliveIsEmpty() {
        handshake();
        byte[] buf = new byte[32];
        int n = seal(aToB, buf, 0);
        assertThat(n).isEqualTo(32);
        assertThat(open(bIdx, bToA, buf, n)).isZero();
        assertThat(bToA.sendingKeypair()).isNotNull(); // keepalive confirmed the session
    }

    @Test
    void replayedInitiationIsIgnored() {
        byte[] init = aToB.initiateHandshake();
        assertThat(Responder.consumeInitiation(bId, dirB(), init, 0)).isNotNull();
        clock.advanceSeconds(1);
        assertThat(Responder.consumeInitiation(bId, dirB(), init.clone(), 0)).isNull();
    }

    @Test
    void initiationFromUnknownPeerOrWrongKeyIsDropped() {
        byte[] init = aToB.initiateHandshake();
        assertThat(Responder.consumeInitiation(bId, pub -> null, init, 0)).isNull();
        LocalIdentity other = new LocalIdentity(Key.generatePrivate());
        assertThat(new CookieChecker(other, clock).checkMac1(init, 0, init.length)).isFalse();
        assertThat(Responder.consumeInitiation(other, dirB(), init, 0)).isNull();
    }

    @Test
    void wrongPresharedKeyFailsTheResponse() {
        bToA.setPresharedKey(Key.generatePreshared());
        byte[] init = aToB.initiateHandshake();
        Responder.Result r = Responder.consumeInitiation(bId, dirB(), init, 0);
        assertThat(r).isNotNull(); // psk only enters at the response
        assertThat(aToB.consumeResponse(r.response(), 0)).isFalse();
    }

    @Test
    void initiationsAreRateLimitedToOnePerRekeyTimeout() {
        assertThat(aToB.initiateHandshake()).isNotNull();
        clock.advanceSeconds(4.9);
        assertThat(aToB.initiateHandshake()).isNull();
        clock.advanceSeconds(0.2);
        assertThat(aToB.initiateHandshake()).isNotNull();
    }

    @Test
    void cookieReplyAddsMac2() {
        byte[] init = aToB.initiateHandshake();
        byte[] src = {10, 0, 0, 1, 0x51, (byte) 0xca};
        assertThat(bCookies.checkMac2(init, 0, init.length, src)).isFalse();
        byte[] reply = bCookies.createReply(init, 0, init.length, src);
        assertThat(reply).hasSize(64);
        IndexTable.Entry e = aIdx.lookup(Messages.getInt(reply, Messages.COOKIE_RECEIVER));
        assertThat(e.tunnel()).isSameAs(aToB);
        assertThat(aToB.consumeCookieReply(reply, 0)).isTrue();
        clock.advanceSeconds(5.5);
        Tunnel.Actions act = aToB.tick();
        byte[] retry = act.handshakeInitiation();
        assertThat(retry).isNotNull();
        assertThat(bCookies.checkMac2(retry, 0, retry.length, src)).isTrue();
        assertThat(bCookies.checkMac2(retry, 0, retry.length, new byte[] {10, 0, 0, 2, 0x51, (byte) 0xca})).isFalse();
        assertThat(bCookies.checkMac1(retry, 0, retry.length)).isTrue();
    }

    @Test
    void tamperedCookieReplyIsRejected() {
        byte[] init = aToB.initiateHandshake();
        byte[] reply = bCookies.createReply(init, 0, init.length, new byte[] {1, 2, 3, 4, 5, 6});
        reply[40] ^= 1;
        assertThat(aToB.consumeCookieReply(reply, 0)).isFalse();
    }
}
