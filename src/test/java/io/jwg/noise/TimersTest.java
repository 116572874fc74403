package io.jwg.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import org.junit.jupiter.api.Test;

/** The timer state machine of whitepaper section 6, driven by a fake clock. */
class TimersTest extends TunnelTest {

    /** Ticks every 100 ms for the given seconds; returns the first non-empty actions, or null. */
    Tunnel.Actions runUntilAction(Tunnel t, double seconds) {
        for (double s = 0; s < seconds; s += 0.1) {
            clock.advanceSeconds(0.1);
            Tunnel.Actions a = t.tick();
            if (!a.isEmpty()) return a;
        }
        return null;
    }

    @Test
    void handshakeIsRetransmittedEveryRekeyTimeoutAndAbandonedAfterRekeyAttemptTime() {
        assertThat(aToB.initiateHandshake()).isNotNull();
        long first = clock.nanos, previous = clock.nanos;
        int retries = 0;
        Tunnel.Actions a;
        while ((a = runUntilAction(aToB, 6)) != null && a.handshakeInitiation() != null) {
            retries++;
            assertThat((clock.nanos - previous) / 1e9).isBetween(5.0, 5.0 + 0.334 + 0.1);
            previous = clock.nanos;
        }
        // like wireguard-go and the kernel: attempts > REKEY_ATTEMPT_TIME / REKEY_TIMEOUT ends it
        assertThat(retries).isEqualTo(Constants.MAX_HANDSHAKE_ATTEMPTS + 1);
        assertThat(a).isNotNull();
        assertThat(a.dropStaged()).isTrue();
        assertThat((clock.nanos - first) / 1e9).isBetween(100.0, 100.0 + 20 * 0.434);
        assertThat(runUntilAction(aToB, 30)).isNull(); // quiet after giving up
    }

    @Test
    void passiveKeepaliveAfterKeepaliveTimeoutWithoutReply() {
        handshake();
        byte[] buf = packet("data", 16);
        int n = seal(aToB, buf, 4);
        assertThat(open(bIdx, bToA, buf, n)).isEqualTo(16);
        clock.advanceSeconds(9.8);
        assertThat(bToA.tick().sendKeepalive()).isFalse();
        clock.advanceSeconds(0.3);
        assertThat(bToA.tick().sendKeepalive()).isTrue();
        assertThat(bToA.tick().sendKeepalive()).isFalse(); // once
    }

    @Test
    void sendingCancelsThePassiveKeepalive() {
        handshake();
        byte[] buf = packet("data", 16);
        assertThat(open(bIdx, bToA, buf, seal(aToB, buf, 4))).isEqualTo(16);
        clock.advanceSeconds(5);
        byte[] reply = packet("reply", 16);
        seal(bToA, reply, 5);
        clock.advanceSeconds(6);
        assertThat(bToA.tick().sendKeepalive()).isFalse();
    }

    @Test
    void newHandshakeWhenDataGetsNoReplyForKeepalivePlusRekeyTimeout() {
        handshake();
        clock.advanceSeconds(1);
        byte[] buf = packet("data", 16);
        seal(aToB, buf, 4);
        Tunnel.Actions a = runUntilAction(aToB, 20);
        assertThat(a).isNotNull();
        assertThat(a.handshakeInitiation()).hasSize(148);
        assertThat(clock.nanos).isNotZero();
    }

    @Test
    void anyAuthenticatedPacketCancelsTheNewHandshakeTimer() {
        handshake();
        byte[] buf = packet("data", 16);
        assertThat(open(bIdx, bToA, buf, seal(aToB, buf, 4))).isEqualTo(16);
        clock.advanceSeconds(3);
        byte[] ka = new byte[32];
        assertThat(open(aIdx, aToB, ka, seal(bToA, ka, 0))).isZero();
        assertThat(runUntilAction(aToB, 30)).isNull();
    }

    @Test
    void initiatorRekeysAfterRekeyAfterTimeWhenSending() {
        handshake();
        byte[] buf = packet("data", 16);
        assertThat(open(bIdx, bToA, buf, seal(aToB, buf, 4))).isEqualTo(16);
        byte[] ka = new byte[32];
        assertThat(open(aIdx, aToB, ka, seal(bToA, ka, 0))).isZero();
        clock.advanceSeconds(119);
        buf = packet("data", 16);
        seal(aToB, buf, 4);
        assertThat(aToB.tick().handshakeInitiation()).isNull();
        clock.advanceSeconds(2);
        buf = packet("data", 16);
        seal(aToB, buf, 4);
        assertThat(aToB.tick().handshakeInitiation()).hasSize(148);
    }

    @Test
    void responderDoesNotRekeyOnTimeButStopsSendingAfterRejectAfterTime() {
        handshake();
        byte[] buf = packet("data", 16);
        assertThat(open(bIdx, bToA, buf, seal(aToB, buf, 4))).isEqualTo(16);
        clock.advanceSeconds(121);
        buf = packet("data", 16);
        seal(bToA, buf, 4);
        assertThat(bToA.tick().handshakeInitiation()).isNull();
        clock.advanceSeconds(59.5);
        assertThat(bToA.sendingKeypair()).isNull(); // 180.5 s old
        assertThat(aToB.sendingKeypair()).isNull();
    }

    @Test
    void receivedDataNearRejectAfterTimeTriggersOneLastMinuteHandshake() {
        handshake();
        byte[] buf = packet("data", 16);
        assertThat(open(bIdx, bToA, buf, seal(aToB, buf, 4))).isEqualTo(16);
        clock.advanceSeconds(166);
        buf = packet("data", 16);
        assertThat(open(aIdx, aToB, buf, seal(bToA, buf, 4))).isEqualTo(16);
        assertThat(aToB.tick().handshakeInitiation()).hasSize(148);
    }

    @Test
    void keyMaterialIsZeroedAfterThreeTimesRejectAfterTime() {
        handshake();
        Keypair kp = aToB.currentKeypair();
        assertThat(aIdx.lookup(kp.localIndex())).isNotNull();
        clock.advanceSeconds(539);
        aToB.tick();
        assertThat(aToB.currentKeypair()).isNotNull();
        clock.advanceSeconds(2);
        aToB.tick();
        assertThat(aToB.currentKeypair()).isNull();
        assertThat(aIdx.lookup(kp.localIndex())).isNull();
        assertThat(kp.canSend(clock.nanos)).isFalse();
    }

    @Test
    void persistentKeepaliveFiresAfterTheIntervalOfSilence() {
        Tunnel t = new Tunnel(aId, bPriv.publicKey(), null, 25, aIdx, clock);
        assertThat(t.tick().sendKeepalive()).isTrue(); // nothing sent yet: bring the tunnel up
        t.packetSent(false);
        clock.advanceSeconds(24.9);
        assertThat(t.tick().sendKeepalive()).isFalse();
        clock.advanceSeconds(0.2);
        assertThat(t.tick().sendKeepalive()).isTrue();
    }

    @Test
    void rekeyAfterMessagesAndRejectAfterMessages() {
        handshake();
        Keypair kp = aToB.currentKeypair();
        kp.skipCounterTo(Constants.REKEY_AFTER_MESSAGES + 1);
        clock.advanceSeconds(5.1); // past the initiation rate limit
        assertThat(aToB.tick().handshakeInitiation()).hasSize(148);
        kp.skipCounterTo(Constants.REJECT_AFTER_MESSAGES - 1);
        assertThat(kp.nextCounter()).isEqualTo(Constants.REJECT_AFTER_MESSAGES - 1);
        assertThat(kp.nextCounter()).isEqualTo(-1);
        assertThat(kp.canSend(clock.nanos)).isFalse();
        assertThat(aToB.sendingKeypair()).isNull();
    }

    @Test
    void rotationKeepsThePreviousKeypairForLatePackets() {
        handshake();
        byte[] buf = packet("first", 16);
        assertThat(open(bIdx, bToA, buf, seal(aToB, buf, 5))).isEqualTo(16);
        byte[] late = packet("late", 16);
        int lateLen = seal(aToB, late, 4); // sealed with the old keys, delivered after the rekey
        clock.advanceSeconds(130);
        handshake();
        byte[] fresh = packet("fresh", 16);
        assertThat(open(bIdx, bToA, fresh, seal(aToB, fresh, 5))).isEqualTo(16);
        assertThat(open(bIdx, bToA, late, lateLen)).isEqualTo(16);
    }

    @Test
    void unknownKeyPeerCannotHandshake() {
        // a peer whose static key is low-order gives an all-zero static-static secret
        Tunnel t = new Tunnel(aId, Key.of(new byte[32]), null, 0, aIdx, clock);
        assertThat(t.initiateHandshake()).isNull();
    }
}
