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
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two whole devices wired together in memory: no root, no sockets, real handshakes and packets. */
@Timeout(30)
class DeviceTest {
    final MemoryUdp.Network net = new MemoryUdp.Network();
    final Key aKey = Key.generatePrivate(), bKey = Key.generatePrivate();
    MemoryTun aTun, bTun;
    Device a, b;
    Peer aSeesB, bSeesA;
    InetAddress aIp, bIp, outsider;

    @BeforeEach
    void setUp() throws Exception {
        aIp = InetAddress.getByName("10.9.0.1");
        bIp = InetAddress.getByName("10.9.0.2");
        outsider = InetAddress.getByName("10.9.0.77");
        aTun = new MemoryTun("a", 8192);
        bTun = new MemoryTun("b", 8192);
        a = new Device(aKey, aTun, port -> net.open("192.0.2.1", port), 0, 1420, Clock.SYSTEM);
        b = new Device(bKey, bTun, port -> net.open("192.0.2.2", port), 51820, 1420, Clock.SYSTEM);
        aSeesB = a.addPeer(bKey.publicKey());
        a.allowIp(aSeesB, bIp.getAddress(), 32);
        aSeesB.setEndpoint(Endpoint.of(InetAddress.getByName("192.0.2.2"), 51820));
        bSeesA = b.addPeer(aKey.publicKey());
        b.allowIp(bSeesA, aIp.getAddress(), 32);
        a.start();
        b.start();
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    byte[] echo(InetAddress src, InetAddress dst, int type, int seq) {
        return IcmpPackets.echo(src, dst, type, 7, seq, ("payload-" + seq).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void firstPacketTriggersHandshakeAndIsDeliveredThenRepliesFlowBack() throws Exception {
        byte[] req = echo(aIp, bIp, 8, 1);
        aTun.inject(req);
        assertThat(bTun.take(Duration.ofSeconds(5))).isEqualTo(req);
        byte[] rep = echo(bIp, aIp, 0, 1);
        bTun.inject(rep);
        assertThat(aTun.take(Duration.ofSeconds(5))).isEqualTo(rep);
        assertThat(bSeesA.endpoint()).isEqualTo(((MemoryUdpEndpoint) () -> "192.0.2.1").endpointOf(a.listenPort()));
        assertThat(aSeesB.lastHandshakeWallNanos()).isPositive();
        assertThat(aSeesB.txBytes()).isEqualTo(bSeesA.rxBytes());
        assertThat(bSeesA.txBytes()).isEqualTo(aSeesB.rxBytes());
    }

    @Test
    void manyPacketsArriveInOrderAndIntact() throws Exception {
        aTun.inject(echo(aIp, bIp, 8, 0));
        assertThat(bTun.take(Duration.ofSeconds(5))).isNotNull();
        Random r = new Random(1);
        int count = 3000;
        byte[][] sent = new byte[count][];
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < count; i++) {
                byte[] payload = new byte[r.nextInt(1300)];
                r.nextBytes(payload);
                sent[i] = IcmpPackets.echo(aIp, bIp, 8, 1, i, payload);
                while (!aTun.inject(sent[i])) Thread.onSpinWait();
            }
        });
        producer.join(10_000);
        for (int i = 0; i < count; i++) {
            byte[] got = bTun.take(Duration.ofSeconds(5));
            assertThat(got).as("packet %d", i).isNotNull();
            assertThat(Arrays.equals(got, sent[i])).as("packet %d arrived intact and in order", i).isTrue();
        }
        assertThat(net.dropped()).isZero();
    }

    @Test
    void innerSourceOutsideAllowedIpsIsDropped() throws Exception {
        aTun.inject(echo(aIp, bIp, 8, 1));
        assertThat(bTun.take(Duration.ofSeconds(5))).isNotNull();
        aTun.inject(echo(outsider, bIp, 8, 2)); // a forwards it (destination is b) but b must refuse it
        aTun.inject(echo(aIp, bIp, 8, 3));
        byte[] next = bTun.take(Duration.ofSeconds(5));
        assertThat(next).isEqualTo(echo(aIp, bIp, 8, 3));
        assertThat(bTun.poll()).isNull();
    }

    @Test
    void packetsForUnknownDestinationsGoNowhere() throws Exception {
        aTun.inject(echo(aIp, InetAddress.getByName("10.99.0.1"), 8, 1));
        Thread.sleep(300);
        assertThat(net.delivered()).isZero();
    }

    @Test
    void garbageDatagramsAreIgnoredAndTheTunnelKeepsWorking() throws Exception {
        MemoryUdp attacker = net.open("192.0.2.66", 4444);
        Random r = new Random(3);
        Endpoint target = Endpoint.of(InetAddress.getByName("192.0.2.2"), 51820);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(200)];
            r.nextBytes(junk);
            if (junk.length > 4 && r.nextBoolean()) {
                junk[0] = (byte) (1 + r.nextInt(4));
                junk[1] = junk[2] = junk[3] = 0;
            }
            Datagram d = new Datagram(junk);
            d.length = junk.length;
            d.endpoint = target;
            attacker.send(new Datagram[] {d}, 1);
        }
        aTun.inject(echo(aIp, bIp, 8, 1));
        assertThat(bTun.take(Duration.ofSeconds(5))).isEqualTo(echo(aIp, bIp, 8, 1));
        assertThat(bSeesA.endpoint().address()).isEqualTo(InetAddress.getByName("192.0.2.1"));
    }

    @Test
    void endpointRoamsToTheSourceOfAuthenticatedPackets() throws Exception {
        aTun.inject(echo(aIp, bIp, 8, 1));
        assertThat(bTun.take(Duration.ofSeconds(5))).isNotNull();
        int oldPort = bSeesA.endpoint().port();
        a.setListenPort(40000);
        aTun.inject(echo(aIp, bIp, 8, 2));
        assertThat(bTun.take(Duration.ofSeconds(5))).isEqualTo(echo(aIp, bIp, 8, 2));
        assertThat(bSeesA.endpoint().port()).isEqualTo(40000).isNotEqualTo(oldPort);
        bTun.inject(echo(bIp, aIp, 0, 2));
        assertThat(aTun.take(Duration.ofSeconds(5))).isEqualTo(echo(bIp, aIp, 0, 2));
    }

    @Test
    void replayedTransportDatagramIsDroppedAndDoesNotMoveTheEndpoint() throws Exception {
        byte[][] captured = new byte[1][];
        net.setFilter((from, to, data, off, len) -> {
            if (data[off] == 4 && len > 32 && captured[0] == null) captured[0] = Arrays.copyOfRange(data, off, off + len);
            return true;
        });
        aTun.inject(echo(aIp, bIp, 8, 1));
        assertThat(bTun.take(Duration.ofSeconds(5))).isNotNull();
        assertThat(captured[0]).isNotNull();
        Endpoint before = bSeesA.endpoint();
        long rx = bSeesA.rxBytes();
        MemoryUdp attacker = net.open("192.0.2.66", 4444);
        Datagram d = new Datagram(captured[0]);
        d.length = captured[0].length;
        d.endpoint = Endpoint.of(InetAddress.getByName("192.0.2.2"), 51820);
        attacker.send(new Datagram[] {d}, 1);
        Thread.sleep(300);
        assertThat(bTun.poll()).isNull();
        assertThat(bSeesA.endpoint()).isEqualTo(before);
        assertThat(bSeesA.rxBytes()).isEqualTo(rx);
    }

    /** Helper to name the endpoint a MemoryUdp bound at an address and port has. */
    interface MemoryUdpEndpoint {
        String host();

        default Endpoint endpointOf(int port) throws Exception {
            return Endpoint.of(InetAddress.getByName(host()), port);
        }
    }

    @Test
    void theRetainedPrivateKeyIsWipedWhenReplacedRemovedAndOnClose() {
        Key held = retained(a);
        assertThat(held).isEqualTo(aKey);
        Key shown = a.privateKey();
        assertThat(shown).isEqualTo(aKey).isNotSameAs(held);

        Key second = Key.generatePrivate();
        a.setPrivateKey(second);
        assertThat(held.isZero()).as("the replaced key's copy").isTrue();
        assertThat(shown.isZero()).as("a copy handed out belongs to its caller").isFalse();
        assertThat(aKey.isZero()).as("the key passed in belongs to its caller").isFalse();
        assertThat(a.privateKey()).isEqualTo(second);

        held = retained(a);
        a.setPrivateKey(null);
        assertThat(held.isZero()).as("the removed key's copy").isTrue();
        assertThat(a.privateKey()).isNull();

        a.setPrivateKey(second);
        held = retained(a);
        a.close();
        assertThat(held.isZero()).as("the copy after close").isTrue();
        assertThat(a.privateKey()).isNull();
        assertThat(second.isZero()).isFalse();
    }

    @Test
    void aHandshakeFloodGetsBatchedCookieRepliesAndNoSessionAndTheTunnelWorksAfterIt() throws Exception {
        MemoryUdp attacker = net.open("192.0.2.66", 4444);
        io.jwg.noise.Tunnel stranger = new io.jwg.noise.Tunnel(new io.jwg.noise.LocalIdentity(Key.generatePrivate()), bKey.publicKey(), null, 0,
                new io.jwg.noise.IndexTable(), Clock.SYSTEM);
        byte[] init = stranger.initiateHandshake();
        byte[] mac1Key = io.jwg.crypto.Blake2s.hash(io.jwg.noise.Constants.LABEL_MAC1, bKey.publicKey().bytes());
        int flood = 3000;
        Datagram[] batch = Datagram.batch(32, 256);
        for (int i = 0; i < flood; i += 32) {
            for (int j = 0; j < 32; j++) {
                io.jwg.noise.Messages.putInt(init, io.jwg.noise.Messages.INIT_SENDER, i + j);
                io.jwg.crypto.Blake2s.mac(mac1Key, init, 0, io.jwg.noise.Messages.INIT_MAC1, init, io.jwg.noise.Messages.INIT_MAC1);
                batch[j].set(init, 0, init.length, Endpoint.of(InetAddress.getByName("192.0.2.2"), 51820));
            }
            attacker.send(batch, 32);
        }
        // the first ones reach the control thread (an X25519 each) until 128 wait: then it is under load
        int replies = 0;
        Datagram[] in = Datagram.batch(64, 256);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (replies < flood - 2 * HandshakeGate.QUEUE_THRESHOLD && System.nanoTime() < deadline) {
            int n = attacker.receive(in);
            for (int i = 0; i < n; i++) {
                assertThat(in[i].length).isEqualTo(io.jwg.noise.Constants.COOKIE_REPLY_SIZE);
                assertThat(in[i].data[0]).isEqualTo((byte) io.jwg.noise.Constants.TYPE_COOKIE_REPLY);
            }
            replies += n;
        }
        assertThat(replies).as("cookie replies to %d initiations", flood).isGreaterThanOrEqualTo(flood - 2 * HandshakeGate.QUEUE_THRESHOLD);
        assertThat(b.cookieRepliesSent()).isGreaterThanOrEqualTo(replies);
        assertThat(bSeesA.lastHandshakeWallNanos()).as("no session from the flood").isZero();
        assertThat(b.peers()).hasSize(1);
        attacker.close();

        Thread.sleep(HandshakeGate.LINGER / 1_000_000 + 300); // under load ends a second after the flood
        byte[] req = echo(aIp, bIp, 8, 1);
        aTun.inject(req);
        assertThat(bTun.take(Duration.ofSeconds(5))).isEqualTo(req);
    }

    static Key retained(Device d) {
        synchronized (d) {
            return d.privateKeyCopy;
        }
    }
}
