package io.jwg.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.device.HandshakeGate.Verdict;
import io.jwg.net.Datagram;
import io.jwg.net.Endpoint;
import io.jwg.net.MemoryUdp;
import io.jwg.net.UdpTransport;
import io.jwg.noise.Clock;
import io.jwg.noise.Constants;
import io.jwg.noise.CookieChecker;
import io.jwg.noise.IndexTable;
import io.jwg.noise.LocalIdentity;
import io.jwg.noise.Messages;
import io.jwg.noise.Tunnel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reader-side DoS defence: MAC1, under load MAC2 / cookie replies (batched) / rate limit, and the under-load state. */
class HandshakeGateTest {
    static final int UNDER_LOAD = HandshakeGate.QUEUE_THRESHOLD;

    final ManualClock clock = new ManualClock();
    final Key serverKey = Key.generatePrivate();
    final LocalIdentity server = new LocalIdentity(serverKey);
    final CookieChecker checker = new CookieChecker(server, clock);
    MemoryUdp.Network net;
    MemoryUdp serverUdp, clientUdp;
    CountingUdp counted;
    Tunnel client;

    @BeforeEach
    void setUp() throws IOException {
        net = new MemoryUdp.Network();
        serverUdp = net.open("10.0.0.1", 51820);
        clientUdp = net.open("10.0.0.2", 40000);
        counted = new CountingUdp(serverUdp);
        client = new Tunnel(new LocalIdentity(Key.generatePrivate()), serverKey.publicKey(), null, 0, new IndexTable(), clock);
    }

    @AfterEach
    void tearDown() {
        serverUdp.close();
        clientUdp.close();
    }

    Verdict admit(HandshakeGate g, byte[] m, int queued) {
        return g.admit(checker, m, 0, m.length, clientUdp.endpoint(), queued, counted);
    }

    @Test
    void notUnderLoadAValidMac1GoesToTheControlThreadAndABadOneIsDropped() {
        HandshakeGate g = new HandshakeGate(clock, 32);
        byte[] init = client.initiateHandshake();
        assertThat(admit(g, init, 0)).isEqualTo(Verdict.PROCESS);
        assertThat(g.admittedUnderLoad()).isFalse();
        byte[] bad = init.clone();
        bad[Messages.INIT_MAC1] ^= 1;
        assertThat(admit(g, bad, 0)).isEqualTo(Verdict.BAD_MAC1);
        assertThat(admit(g, bad, UNDER_LOAD)).as("no cookie without MAC1").isEqualTo(Verdict.BAD_MAC1);
        bad = init.clone();
        bad[Messages.INIT_STATIC] ^= 1; // MAC1 covers the whole message
        assertThat(admit(g, bad, 0)).isEqualTo(Verdict.BAD_MAC1);
        assertThat(g.admit(null, init, 0, init.length, clientUdp.endpoint(), 0, counted)).as("no key").isEqualTo(Verdict.BAD_MAC1);
        g.flush(counted);
        assertThat(counted.calls).isZero();
    }

    @Test
    void underLoadTheCookieRepliesOfABatchLeaveInOneSendAndAreSmallerThanTheRequests() throws IOException {
        HandshakeGate g = new HandshakeGate(clock, 32);
        List<byte[]> inits = new ArrayList<>();
        byte[] first = client.initiateHandshake();
        for (int i = 0; i < 20; i++) {
            byte[] m = first.clone();
            Messages.putInt(m, Messages.INIT_SENDER, 1000 + i); // each reply names its message's sender index
            inits.add(resealMac1(m)); // the sender index is covered by MAC1 (not by the AEAD)
        }
        for (byte[] m : inits) assertThat(admit(g, m, UNDER_LOAD)).isEqualTo(Verdict.COOKIE_REPLY);
        assertThat(counted.calls).as("nothing sent before the flush").isZero();
        g.flush(counted);
        assertThat(counted.calls).isEqualTo(1);
        assertThat(counted.datagrams).isEqualTo(20);
        assertThat(g.cookieRepliesSent()).isEqualTo(20);
        g.flush(counted);
        assertThat(counted.calls).as("an empty flush sends nothing").isEqualTo(1);

        List<byte[]> got = receiveAll(clientUdp, 20);
        for (int i = 0; i < 20; i++) {
            byte[] r = got.get(i);
            assertThat(r).hasSize(Constants.COOKIE_REPLY_SIZE);
            assertThat(r.length).isLessThan(Constants.INITIATION_SIZE);
            assertThat(Messages.typeOf(r, 0, r.length)).isEqualTo(Constants.TYPE_COOKIE_REPLY);
            assertThat(Messages.getInt(r, Messages.COOKIE_RECEIVER)).isEqualTo(1000 + i);
        }
        // nonces never repeat
        assertThat(got.stream().map(r -> java.util.HexFormat.of().formatHex(r, Messages.COOKIE_NONCE, Messages.COOKIE_ENCRYPTED)).distinct())
                .hasSize(20);
    }

    @Test
    void aFullBatchOfRepliesIsSentAtOnce() throws IOException {
        HandshakeGate g = new HandshakeGate(clock, 4);
        byte[] init = client.initiateHandshake();
        for (int i = 0; i < 10; i++) assertThat(admit(g, init, UNDER_LOAD)).isEqualTo(Verdict.COOKIE_REPLY);
        assertThat(counted.calls).isEqualTo(2);
        g.flush(counted);
        assertThat(counted.calls).isEqualTo(3);
        assertThat(counted.datagrams).isEqualTo(10);
        assertThat(receiveAll(clientUdp, 10)).hasSize(10);
    }

    @Test
    void repliesAreHeldAcrossReceiveBatchesForAtMostMaxHold() throws IOException {
        HandshakeGate g = new HandshakeGate(clock, HandshakeGate.MAX_PENDING);
        byte[] init = client.initiateHandshake();
        for (int i = 0; i < 3; i++) assertThat(admit(g, init, UNDER_LOAD)).isEqualTo(Verdict.COOKIE_REPLY);
        g.endOfBatch(counted);
        assertThat(counted.calls).as("a fresh reply waits for more").isZero();
        clock.advance(HandshakeGate.MAX_HOLD - 1);
        assertThat(admit(g, init, UNDER_LOAD)).isEqualTo(Verdict.COOKIE_REPLY);
        g.endOfBatch(counted);
        assertThat(counted.calls).isZero();
        clock.advance(1);
        g.endOfBatch(counted);
        assertThat(counted.calls).as("the oldest waited MAX_HOLD: all leave in one send").isEqualTo(1);
        assertThat(counted.datagrams).isEqualTo(4);
        assertThat(receiveAll(clientUdp, 4)).hasSize(4);
        // a flood fills a whole send long before MAX_HOLD
        for (int i = 0; i < HandshakeGate.MAX_PENDING; i++) admit(g, init, UNDER_LOAD);
        assertThat(counted.calls).isEqualTo(2);
        assertThat(counted.datagrams).isEqualTo(4 + HandshakeGate.MAX_PENDING);
        // and what a batch's end leaves behind, the control thread's tick sends
        admit(g, init, UNDER_LOAD);
        g.flush(counted);
        assertThat(counted.calls).isEqualTo(3);
        assertThat(g.cookieRepliesSent()).isEqualTo(5 + HandshakeGate.MAX_PENDING);
    }

    @Test
    void withTheCookieMac2PassesAndTheSourceIsRateLimited() throws IOException {
        HandshakeGate g = new HandshakeGate(clock, 32);
        byte[] init = client.initiateHandshake();
        assertThat(admit(g, init, UNDER_LOAD)).isEqualTo(Verdict.COOKIE_REPLY);
        g.flush(counted);
        byte[] reply = receiveAll(clientUdp, 1).getFirst();
        assertThat(client.consumeCookieReply(reply, 0)).as("the client accepts our cookie reply").isTrue();
        clock.advance(Constants.REKEY_TIMEOUT); // the client's retry
        byte[] retry = client.initiateHandshake();
        assertThat(Messages.getLong(retry, Messages.INIT_MAC2) | Messages.getLong(retry, Messages.INIT_MAC2 + 8)).as("MAC2 set").isNotZero();
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            verdicts.add(admit(g, retry, UNDER_LOAD));
            if (verdicts.getLast() == Verdict.PROCESS) assertThat(g.admittedUnderLoad()).isTrue();
        }
        assertThat(verdicts).containsExactly(Verdict.PROCESS, Verdict.PROCESS, Verdict.PROCESS, Verdict.PROCESS, Verdict.PROCESS,
                Verdict.RATE_LIMITED, Verdict.RATE_LIMITED, Verdict.RATE_LIMITED);
        clock.advance(RateLimiter.BURST * 1_000_000_000L / RateLimiter.PACKETS_PER_SECOND);
        assertThat(admit(g, retry, UNDER_LOAD)).as("tokens refill").isEqualTo(Verdict.PROCESS);
        byte[] forged = retry.clone();
        forged[Messages.INIT_MAC2 + 15] ^= 1;
        assertThat(admit(g, forged, UNDER_LOAD)).as("a wrong MAC2 that is not zeros").isEqualTo(Verdict.COOKIE_REPLY);

        // from another port, the same MAC2 is wrong: the cookie is bound to address and port
        MemoryUdp other = net.open("10.0.0.2", 40001);
        assertThat(g.admit(checker, retry, 0, retry.length, other.endpoint(), UNDER_LOAD, counted)).isEqualTo(Verdict.COOKIE_REPLY);
        other.close();
        // a cookie expires with its secret (2 minutes)
        clock.advance(Constants.COOKIE_REFRESH_TIME + 1);
        assertThat(admit(g, retry, UNDER_LOAD)).isEqualTo(Verdict.COOKIE_REPLY);
    }

    @Test
    void underLoadLastsWhileTheFloodGoesOnAndEndsASecondAfterIt() {
        HandshakeGate g = new HandshakeGate(clock, 32);
        byte[] init = client.initiateHandshake();
        assertThat(g.underLoad(0, clock.nanos())).isFalse();
        assertThat(admit(g, init, UNDER_LOAD)).as("a backed-up queue starts it").isEqualTo(Verdict.COOKIE_REPLY);
        // 12,000/s for 5 s: the queue stays empty (the gate answers), the state holds
        for (int ms = 1; ms <= 5000; ms++) {
            clock.advance(1_000_000L);
            for (int i = 0; i < 12; i++) assertThat(admit(g, init, 0)).as("at %d ms", ms).isEqualTo(Verdict.COOKIE_REPLY);
            if (ms % 8 == 0) g.flush(counted);
        }
        clock.advance(HandshakeGate.LINGER - 1_000_000L);
        assertThat(g.underLoad(0, clock.nanos())).as("just under a second after the flood").isTrue();
        clock.advance(2_000_000L);
        assertThat(g.underLoad(0, clock.nanos())).as("a second after").isFalse();
        assertThat(admit(g, init, 0)).isEqualTo(Verdict.PROCESS);

        // a trickle below the sustain rate lets it end LINGER after the queue drained
        clock.advance(3 * HandshakeGate.LINGER);
        assertThat(admit(g, init, UNDER_LOAD)).isEqualTo(Verdict.COOKIE_REPLY);
        long start = clock.nanos();
        int perSecond = HandshakeGate.SUSTAIN_PER_LINGER / 2;
        while (clock.nanos() - start < 3 * HandshakeGate.LINGER) {
            clock.advance(1_000_000_000L / perSecond);
            Verdict v = admit(g, init, 0);
            boolean expectLoad = clock.nanos() - start < HandshakeGate.LINGER;
            assertThat(v).isEqualTo(expectLoad ? Verdict.COOKIE_REPLY : Verdict.PROCESS);
        }
        g.flush(counted);
    }

    @Test
    void aFloodFromOneSourceAllocatesAlmostNothingPerMessage() {
        HandshakeGate g = new HandshakeGate(clock, 32);
        UdpTransport sink = new CountingUdp(null);
        byte[] init = client.initiateHandshake();
        Endpoint from = clientUdp.endpoint();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int round = 0; round < 3; round++) { // the last round counts, after the JIT has compiled the path
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 20_000; i++) {
                g.admit(checker, init, 0, init.length, from, UNDER_LOAD, sink);
                if (i % 32 == 31) g.flush(sink);
            }
            long perMessage = (threads.getThreadAllocatedBytes(tid) - before) / 20_000;
            if (round == 2) {
                System.out.println("HandshakeGate: " + perMessage + " bytes allocated per flood message");
                // what remains is inside the libraries: Bouncy Castle's BLAKE2s allocates its message
                // words per compression (3 for MAC1, ~80 B each; MAC2 is zeros here, as a flood sends
                // it) and the JDK's ChaCha20 Cipher.init ~170 B for the reply's seal. The path before
                // HandshakeGate allocated about 4 KB per message.
                assertThat(perMessage).isLessThan(800);
            }
        }
        assertThat(g.cookieRepliesSent()).isEqualTo(60_000);
    }

    byte[] resealMac1(byte[] m) {
        byte[] mac1Key = io.jwg.crypto.Blake2s.hash(Constants.LABEL_MAC1, serverKey.publicKey().bytes());
        io.jwg.crypto.Blake2s.mac(mac1Key, m, 0, Messages.INIT_MAC1, m, Messages.INIT_MAC1);
        return m;
    }

    static List<byte[]> receiveAll(MemoryUdp udp, int n) throws IOException {
        List<byte[]> out = new ArrayList<>();
        Datagram[] batch = Datagram.batch(64, 2048);
        while (out.size() < n) {
            int k = udp.receive(batch);
            for (int i = 0; i < k; i++) out.add(java.util.Arrays.copyOfRange(batch[i].data, batch[i].offset, batch[i].offset + batch[i].length));
        }
        return out;
    }

    /** Counts send calls and datagrams; delegates to a transport, or drops when there is none. */
    static final class CountingUdp implements UdpTransport {
        final UdpTransport to;
        int calls, datagrams;

        CountingUdp(UdpTransport to) {
            this.to = to;
        }

        @Override
        public int port() {
            return 51820;
        }

        @Override
        public int receive(Datagram[] batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int send(Datagram[] batch, int count) throws IOException {
            calls++;
            datagrams += count;
            return to == null ? count : to.send(batch, count);
        }

        @Override
        public void setMark(int fwmark) {}

        @Override
        public void close() {}
    }

    static final class ManualClock implements Clock {
        long nanos = 1_000_000_000_000L;

        @Override
        public long nanos() {
            return nanos;
        }

        @Override
        public long wallNanos() {
            return 1_700_000_000_000_000_000L + nanos;
        }

        void advance(long d) {
            nanos += d;
        }
    }
}
