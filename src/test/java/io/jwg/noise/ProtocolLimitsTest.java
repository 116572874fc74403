package io.jwg.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The protocol's hard limits at their exact edges: message counters (REKEY/REJECT_AFTER_MESSAGES),
 * key age (REJECT_AFTER_TIME on both directions), the replay window (including uint64 counters at
 * and above 2^63), and the initiation flood limit. Complements ReplayWindowTest and TimersTest, which
 * cover the ordinary cases.
 */
class ProtocolLimitsTest {
    final FakeClock clock = new FakeClock();
    Key aPriv, bPriv;
    LocalIdentity aId, bId;
    IndexTable aIdx, bIdx;
    Tunnel aToB, bToA;

    @BeforeEach
    void setUp() {
        aPriv = Key.generatePrivate();
        bPriv = Key.generatePrivate();
        aId = new LocalIdentity(aPriv);
        bId = new LocalIdentity(bPriv);
        aIdx = new IndexTable();
        bIdx = new IndexTable();
        aToB = new Tunnel(aId, bPriv.publicKey(), null, 0, aIdx, clock);
        bToA = new Tunnel(bId, aPriv.publicKey(), null, 0, bIdx, clock);
    }

    PeerDirectory dirB() {
        return pub -> Arrays.equals(pub, aPriv.publicKey().bytes()) ? bToA : null;
    }

    void handshake() {
        byte[] init = aToB.initiateHandshake();
        Responder.Result r = Responder.consumeInitiation(bId, dirB(), init, 0);
        assertThat(r).isNotNull();
        assertThat(aToB.consumeResponse(r.response(), 0)).isTrue();
    }

    /** A message sealed by a's current keypair with an arbitrary counter (as a peer could send it). */
    byte[] sealed(long counter) {
        byte[] buf = new byte[32];
        int n = aToB.currentKeypair().seal(counter, buf, 0, 0);
        return Arrays.copyOf(buf, n);
    }

    Keypair bReceiving() {
        return bIdx.lookup(aToB.currentKeypair().remoteIndex()).keypair();
    }

    // ------------------------------------------------------------------ replay window

    @Test
    void replayWindowTreatsCountersAsUnsigned64Bit() {
        // regression: with a signed comparison, a counter 2^63 or more below the newest one counted as
        // "not too old" and was accepted (found by InboundDatagramFuzzTest, counters mode)
        ReplayWindow w = new ReplayWindow();
        long high = Long.MIN_VALUE + 5; // 2^63 + 5
        assertThat(w.accept(high)).isTrue();
        assertThat(w.mayAccept(3)).isFalse();
        assertThat(w.accept(3)).isFalse();
        assertThat(w.accept(high - ReplayWindow.WINDOW_SIZE)).isTrue();
        assertThat(w.accept(high - ReplayWindow.WINDOW_SIZE - 1)).isFalse();
        assertThat(w.accept(high)).isFalse();
        assertThat(w.accept(high + 1)).isTrue();
    }

    @Test
    void replayWindowJumpFarAheadForgetsEveryOldBit() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.accept(5)).isTrue();
        assertThat(w.accept(2048 + 70)).isTrue(); // moves the window by more than the ring
        assertThat(w.accept(2048 + 5)).isTrue(); // same ring slot and bit as 5: must not look seen
        assertThat(w.accept(5)).isFalse(); // too old now
        assertThat(w.accept(2048 + 70 - ReplayWindow.WINDOW_SIZE)).isTrue(); // oldest still inside
    }

    @Test
    void mayAcceptNeverChangesTheWindow() {
        ReplayWindow w = new ReplayWindow();
        for (long c : new long[] {0, 1, 5000, Constants.REJECT_AFTER_MESSAGES - 1}) assertThat(w.mayAccept(c)).isTrue();
        assertThat(w.accept(0)).isTrue();
        assertThat(w.accept(1)).isTrue();
    }

    // ------------------------------------------------------------------ counters

    @Test
    void authenticMessagesAtOrPastRejectAfterMessagesAreRefused() {
        handshake();
        Keypair b = bReceiving();
        long limit = Constants.REJECT_AFTER_MESSAGES;
        assertThat(b.open(sealed(limit), 0, 32)).isEqualTo(Keypair.REPLAYED);
        assertThat(b.open(sealed(-1L), 0, 32)).isEqualTo(Keypair.REPLAYED); // 2^64 - 1
        byte[] last = sealed(limit - 1);
        assertThat(b.open(last.clone(), 0, 32)).isZero(); // the last valid counter
        assertThat(b.open(last.clone(), 0, 32)).isEqualTo(Keypair.REPLAYED); // once
    }

    @Test
    void sendCounterStopsExactlyAtRejectAfterMessagesUnderConcurrency() throws Exception {
        handshake();
        Keypair kp = aToB.currentKeypair();
        int threads = 4, perThread = 5000;
        long start = Constants.REJECT_AFTER_MESSAGES - 1000;
        kp.skipCounterTo(start);
        Set<Long> got = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        int[] refused = new int[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    long c = kp.nextCounter();
                    if (c == -1) refused[id]++; // counters past 2^63 are negative as Java longs: only -1 means "no more"
                    else assertThat(got.add(c)).as("counter %d handed out twice", c).isTrue();
                }
            });
        }
        go.countDown();
        for (Thread t : ts) t.join(10_000);
        assertThat(got).hasSize(1000);
        assertThat(got.stream().allMatch(c -> Long.compareUnsigned(c, Constants.REJECT_AFTER_MESSAGES) < 0)).isTrue();
        assertThat(Arrays.stream(refused).sum()).isEqualTo(threads * perThread - 1000);
        assertThat(kp.sentMessages()).isEqualTo(Constants.REJECT_AFTER_MESSAGES); // no wrap-around
        assertThat(kp.nextCounter()).isEqualTo(-1);
        assertThat(kp.canSend(clock.nanos)).isFalse();
    }

    @Test
    void initiatorRekeysOnlyPastRekeyAfterMessages() {
        handshake();
        Keypair kp = aToB.currentKeypair();
        clock.advanceSeconds(Constants.REKEY_TIMEOUT / 1e9 + 0.1);
        kp.skipCounterTo(Constants.REKEY_AFTER_MESSAGES);
        assertThat(aToB.tick().handshakeInitiation()).isNull(); // as wireguard-go: nonce > RekeyAfterMessages
        kp.skipCounterTo(Constants.REKEY_AFTER_MESSAGES + 1);
        assertThat(aToB.tick().handshakeInitiation()).hasSize(Constants.INITIATION_SIZE);
    }

    @Test
    void destroyedKeypairNeitherSendsNorOpens() {
        handshake();
        Keypair b = bReceiving();
        byte[] m = sealed(0);
        b.destroy();
        assertThat(b.open(m, 0, m.length)).isNegative();
        assertThat(b.nextCounter()).isEqualTo(-1);
        assertThat(b.canReceive(clock.nanos)).isFalse();
    }

    // ------------------------------------------------------------------ key age

    @Test
    void keypairsExpireExactlyAtRejectAfterTimeForSendingAndReceiving() {
        handshake();
        Keypair a = aToB.currentKeypair();
        Keypair b = bReceiving();
        long created = a.createdNanos();
        clock.nanos = created + Constants.REJECT_AFTER_TIME - 1;
        assertThat(a.canSend(clock.nanos)).isTrue();
        assertThat(b.canReceive(clock.nanos)).isTrue();
        assertThat(aToB.sendingKeypair()).isSameAs(a);
        clock.nanos = created + Constants.REJECT_AFTER_TIME;
        assertThat(a.canSend(clock.nanos)).isFalse();
        assertThat(a.canReceive(clock.nanos)).isFalse();
        assertThat(b.canReceive(clock.nanos)).isFalse();
        assertThat(aToB.sendingKeypair()).isNull();
    }

    // ------------------------------------------------------------------ initiation flood limit

    @Test
    void freshInitiationsFromOnePeerAreLimitedToOnePerHandshakeInitiationRate() {
        byte[] first = aToB.initiateHandshake();
        assertThat(Responder.consumeInitiation(bId, dirB(), first, 0)).isNotNull();
        // the same peer restarted: a new tunnel, a newer timestamp, but only 10 ms later
        clock.nanos += 10_000_000L;
        clock.wall += 100_000_000L;
        byte[] second = new Tunnel(aId, bPriv.publicKey(), null, 0, new IndexTable(), clock).initiateHandshake();
        assertThat(Responder.consumeInitiation(bId, dirB(), second, 0)).isNull();
        clock.nanos += Constants.HANDSHAKE_INITIATION_RATE;
        clock.wall += 100_000_000L;
        byte[] third = new Tunnel(aId, bPriv.publicKey(), null, 0, new IndexTable(), clock).initiateHandshake();
        assertThat(Responder.consumeInitiation(bId, dirB(), third, 0)).isNotNull();
    }

    @Test
    void initiationWithTheSameTimestampIsAReplayEvenFromANewHandshake() {
        byte[] first = aToB.initiateHandshake();
        assertThat(Responder.consumeInitiation(bId, dirB(), first, 0)).isNotNull();
        clock.nanos += 1_000_000_000L; // monotonic time passes, the wall clock does not (e.g. stepped back)
        byte[] second = new Tunnel(aId, bPriv.publicKey(), null, 0, new IndexTable(), clock).initiateHandshake();
        assertThat(Responder.consumeInitiation(bId, dirB(), second, 0)).isNull();
    }
}
