package io.jwg.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The load generator's initiator against the responder a jwg server runs (Responder + Tunnel). */
class InitiatorHandshakeTest {
    final FakeClock clock = new FakeClock();
    final Key serverPriv = Key.generatePrivate(), peerPriv = Key.generatePrivate();
    final LocalIdentity serverId = new LocalIdentity(serverPriv);
    final IndexTable serverIdx = new IndexTable();
    final Tunnel serverToPeer = new Tunnel(serverId, peerPriv.publicKey(), null, 0, serverIdx, clock);
    final CookieChecker serverCookies = new CookieChecker(serverId, clock);
    final InitiatorHandshake.Peer peer = new InitiatorHandshake.Peer(peerPriv, serverPriv.publicKey(), null);

    PeerDirectory directory() {
        return pub -> Arrays.equals(pub, peerPriv.publicKey().bytes()) ? serverToPeer : null;
    }

    @Test
    void completesAHandshakeWhoseKeysTheServerAccepts() {
        InitiatorHandshake h = InitiatorHandshake.create(peer, 42, clock.wallNanos());
        byte[] init = h.initiation();
        assertThat(serverCookies.checkMac1(init, 0, init.length)).isTrue();
        Responder.Result r = Responder.consumeInitiation(serverId, directory(), init, 0);
        assertThat(r).isNotNull();
        Keypair kp = h.consumeResponse(r.response(), 0, r.response().length, clock.nanos());
        assertThat(kp).isNotNull();

        byte[] keepalive = new byte[Constants.TRANSPORT_MIN_SIZE];
        int n = kp.seal(kp.nextCounter(), keepalive, 0, 0);
        IndexTable.Entry e = serverIdx.lookup(Messages.getInt(keepalive, Messages.DATA_RECEIVER));
        assertThat(e.tunnel()).isSameAs(serverToPeer);
        assertThat(e.keypair().open(keepalive, 0, n)).isZero(); // authentic keepalive
        assertThat(serverToPeer.packetReceived(e.keypair(), false)).isTrue(); // confirms the session
    }

    @Test
    void rejectsResponsesThatAreNotForThisInitiation() {
        InitiatorHandshake h = InitiatorHandshake.create(peer, 7, clock.wallNanos());
        byte[] response = Responder.consumeInitiation(serverId, directory(), h.initiation(), 0).response();
        byte[] tampered = response.clone();
        tampered[Messages.RESP_EMPTY] ^= 1;
        assertThat(h.consumeResponse(tampered, 0, tampered.length, 0)).isNull(); // MAC1 no longer matches
        InitiatorHandshake other = InitiatorHandshake.create(peer, 8, clock.wallNanos() + (1L << 24));
        assertThat(other.consumeResponse(response, 0, response.length, 0)).isNull(); // receiver index 7, not 8
        assertThat(h.consumeResponse(response, 0, response.length, 0)).isNotNull();
    }

    @Test
    void laterTimestampsAreAcceptedAndRepeatsAreNot() {
        long t = clock.wallNanos();
        InitiatorHandshake first = InitiatorHandshake.create(peer, 1, t);
        InitiatorHandshake sameTime = InitiatorHandshake.create(peer, 2, t);
        InitiatorHandshake later = InitiatorHandshake.create(peer, 3, t + (1L << 24));
        assertThat(Responder.consumeInitiation(serverId, directory(), first.initiation(), 0)).isNotNull();
        clock.advanceSeconds(0.05); // past the flood limit (20 ms)
        assertThat(Responder.consumeInitiation(serverId, directory(), sameTime.initiation(), 0)).isNull();
        assertThat(Responder.consumeInitiation(serverId, directory(), later.initiation(), 0)).isNotNull();
    }

    @Test
    void aCookieReplyAddsMac2ThatTheServerAccepts() {
        InitiatorHandshake h = InitiatorHandshake.create(peer, 9, clock.wallNanos());
        byte[] source = {10, 0, 0, 2, (byte) 0xca, 0x6c};
        byte[] init = h.initiation();
        assertThat(serverCookies.checkMac2(init, 0, init.length, source)).isFalse();
        byte[] reply = serverCookies.createReply(init, 0, init.length, source);
        assertThat(h.consumeCookieReply(reply, 0, reply.length)).isTrue();
        assertThat(serverCookies.checkMac1(h.initiation(), 0, 148)).isTrue();
        assertThat(serverCookies.checkMac2(h.initiation(), 0, 148, source)).isTrue();
    }
}
