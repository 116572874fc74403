package io.jwg.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.net.Datagram;
import io.jwg.net.Endpoint;
import io.jwg.net.MemoryUdp;
import io.jwg.noise.Clock;
import io.jwg.testing.IcmpPackets;
import io.jwg.tun.MemoryTun;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The data plane counts every packet it drops, by reason, on the device and (where known) the peer. */
@Timeout(30)
class DeviceDropsTest {
    final MemoryUdp.Network net = new MemoryUdp.Network();
    final Key aKey = Key.generatePrivate(), bKey = Key.generatePrivate();
    MemoryTun aTun, bTun;
    Device a, b;
    Peer aSeesB, bSeesA;
    InetAddress aIp, bIp;
    Endpoint bAddr;
    final byte[][] captured = new byte[1][];

    @BeforeEach
    void setUp() throws Exception {
        aIp = InetAddress.getByName("10.9.0.1");
        bIp = InetAddress.getByName("10.9.0.2");
        aTun = new MemoryTun("a", 8192);
        bTun = new MemoryTun("b", 8192);
        a = new Device(aKey, aTun, port -> net.open("192.0.2.1", port), 0, 1420, Clock.SYSTEM);
        b = new Device(bKey, bTun, port -> net.open("192.0.2.2", port), 51820, 1420, Clock.SYSTEM);
        bAddr = Endpoint.of(InetAddress.getByName("192.0.2.2"), 51820);
        aSeesB = a.addPeer(bKey.publicKey());
        a.allowIp(aSeesB, bIp.getAddress(), 32);
        aSeesB.setEndpoint(bAddr);
        bSeesA = b.addPeer(aKey.publicKey());
        b.allowIp(bSeesA, aIp.getAddress(), 32);
        net.setFilter((from, to, data, off, len) -> {
            if (data[off] == 4 && len > 32 && captured[0] == null) captured[0] = Arrays.copyOfRange(data, off, off + len);
            return true;
        });
        a.start();
        b.start();
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    byte[] echo(InetAddress src, InetAddress dst, int seq) {
        return IcmpPackets.echo(src, dst, 8, 7, seq, ("payload-" + seq).getBytes(StandardCharsets.US_ASCII));
    }

    void connect() throws Exception {
        aTun.inject(echo(aIp, bIp, 1));
        assertThat(bTun.take(Duration.ofSeconds(5))).isNotNull();
        assertThat(captured[0]).isNotNull();
    }

    void inject(byte[] datagram) throws Exception {
        MemoryUdp attacker = net.open("192.0.2.66", 4444 + (int) (System.nanoTime() & 1023));
        Datagram d = new Datagram(datagram);
        d.length = datagram.length;
        d.endpoint = bAddr;
        attacker.send(new Datagram[] {d}, 1);
        attacker.close();
    }

    static void eventually(LongSupplier counter, long expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (counter.getAsLong() < expected && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(counter.getAsLong()).isEqualTo(expected);
    }

    @Test
    void noRouteForAnOutboundDestination() throws Exception {
        aTun.inject(echo(aIp, InetAddress.getByName("10.99.0.1"), 1));
        eventually(() -> a.drops().get(DropReason.NO_ROUTE), 1);
        assertThat(a.drops().total()).isEqualTo(1);
        assertThat(aSeesB.drops().total()).isZero();
    }

    @Test
    void innerSourceNotInAllowedIpsCountsOnDeviceAndPeer() throws Exception {
        connect();
        aTun.inject(echo(InetAddress.getByName("10.9.0.77"), bIp, 2));
        eventually(() -> b.drops().get(DropReason.SOURCE_NOT_ALLOWED), 1);
        assertThat(bSeesA.drops().get(DropReason.SOURCE_NOT_ALLOWED)).isEqualTo(1);
    }

    @Test
    void replayedMessage() throws Exception {
        connect();
        inject(captured[0]);
        eventually(() -> bSeesA.drops().get(DropReason.REPLAY), 1);
        assertThat(b.drops().get(DropReason.REPLAY)).isEqualTo(1);
        assertThat(b.drops().get(DropReason.AUTHENTICATION)).isZero();
    }

    @Test
    void forgedMessageFailsAuthentication() throws Exception {
        connect();
        byte[] forged = captured[0].clone();
        forged[8] = (byte) 0xff; // a fresh counter, so that it passes the replay pre-check
        forged[forged.length - 1] ^= 1;
        inject(forged);
        eventually(() -> bSeesA.drops().get(DropReason.AUTHENTICATION), 1);
        assertThat(b.drops().get(DropReason.REPLAY)).isZero();
    }

    @Test
    void unknownReceiverIndexAndMalformedDatagrams() throws Exception {
        connect();
        byte[] stray = captured[0].clone();
        stray[4] ^= 0x5a; // another receiver index
        inject(stray);
        inject(new byte[] {9, 0, 0, 0, 1, 2, 3});
        eventually(() -> b.drops().get(DropReason.UNKNOWN_PEER), 1);
        eventually(() -> b.drops().get(DropReason.MALFORMED), 1);
        assertThat(bSeesA.drops().total()).isZero();
    }

    @Test
    void packetsStagedWithoutASessionOverflow() throws Exception {
        Key cKey = Key.generatePrivate();
        Peer c = a.addPeer(cKey.publicKey()); // no endpoint: no handshake can happen
        InetAddress cIp = InetAddress.getByName("10.9.0.3");
        a.allowIp(c, cIp.getAddress(), 32);
        for (int i = 0; i < Peer.MAX_STAGED + 5; i++) aTun.inject(echo(aIp, cIp, i));
        eventually(() -> c.drops().get(DropReason.NO_KEYPAIR), 5);
        assertThat(a.drops().get(DropReason.NO_KEYPAIR)).isEqualTo(5);
        assertThat(a.keypairAgeNanos(c)).isEqualTo(-1);
    }

    @Test
    void keypairAgeAfterAHandshake() throws Exception {
        connect();
        assertThat(a.keypairAgeNanos(aSeesB)).isBetween(0L, 5_000_000_000L);
        assertThat(a.drops().total()).isZero();
        assertThat(b.drops().total()).isZero();
    }
}
