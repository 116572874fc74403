package io.jwg.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.crypto.Key;
import io.jwg.device.DropReason;
import io.jwg.testing.IcmpPackets;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two userspace tunnels (no root, no OS interface) talking over real UDP sockets on loopback. */
@Timeout(60)
class UserspaceTunnelTest {
    final Key aKey = Key.generatePrivate(), bKey = Key.generatePrivate();
    UserspaceTunnel a, b;
    InetAddress aIp, bIp;

    @BeforeEach
    void start() throws Exception {
        aIp = InetAddress.getByName("10.71.0.1");
        bIp = InetAddress.getByName("10.71.0.2");
        b = Tunnel.userspace(TunnelConfig.builder("usb").privateKey(bKey).address("10.71.0.2/32")
                .peer(TunnelConfig.peer(aKey.publicKey()).allowedIps("10.71.0.1/32")).build());
        a = Tunnel.userspace(TunnelConfig.builder("usa").privateKey(aKey).address("10.71.0.1/32")
                .peer(TunnelConfig.peer(bKey.publicKey()).endpoint("127.0.0.1:" + b.listenPort()).allowedIps("10.71.0.0/24")).build());
    }

    @AfterEach
    void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    static ByteBuffer echo(InetAddress src, InetAddress dst, int type, int seq) {
        return ByteBuffer.wrap(IcmpPackets.echo(src, dst, type, 9, seq, ("ping " + seq).getBytes(StandardCharsets.US_ASCII)));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void packetsGoBothWaysAndStatusIsReported() throws Exception {
        assertThat(a.addresses()).containsExactly(aIp);
        assertThat(a.publicKey()).isEqualTo(aKey.publicKey());
        assertThat(a.send(echo(aIp, bIp, 8, 1))).isTrue();
        ByteBuffer got = b.receive(Duration.ofSeconds(10));
        assertThat(got).isNotNull();
        assertThat(bytes(got)).isEqualTo(bytes(echo(aIp, bIp, 8, 1)));
        assertThat(b.send(echo(bIp, aIp, 0, 1))).isTrue();
        assertThat(bytes(a.receive(Duration.ofSeconds(5)))).isEqualTo(bytes(echo(bIp, aIp, 0, 1)));

        PeerStatus seen = a.peer(bKey.publicKey()).orElseThrow();
        assertThat(seen.hasHandshake()).isTrue();
        assertThat(seen.latestHandshake().orElseThrow()).isBetween(Instant.now().minusSeconds(30), Instant.now().plusSeconds(1));
        assertThat(seen.keypairAge()).isPresent();
        assertThat(seen.rxBytes()).isPositive();
        assertThat(seen.txBytes()).isPositive();
        assertThat(seen.endpoint().orElseThrow().getPort()).isEqualTo(b.listenPort());
        assertThat(seen.allowedIps()).hasToString("[10.71.0.0/24]");
        assertThat(seen.drops()).containsEntry(DropReason.REPLAY, 0L).doesNotContainKey(DropReason.NO_ROUTE);
        assertThat(b.peer(aKey.publicKey()).orElseThrow().endpoint().orElseThrow().getPort()).isEqualTo(a.listenPort());
        assertThat(b.awaitHandshake(aKey.publicKey(), Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void handlerReceivesPacketsInOrder() throws Exception {
        LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        b.onReceive(p -> got.add(bytes(p)));
        for (int i = 0; i < 50; i++) assertThat(a.send(echo(aIp, bIp, 8, i))).isTrue();
        for (int i = 0; i < 50; i++) assertThat(got.poll(10, TimeUnit.SECONDS)).as("packet %d", i).isEqualTo(bytes(echo(aIp, bIp, 8, i)));
    }

    @Test
    void dropsAreCounted() throws Exception {
        a.send(echo(aIp, InetAddress.getByName("10.99.0.1"), 8, 1)); // no peer for it
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (a.drops().get(DropReason.NO_ROUTE) == 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(a.drops()).containsEntry(DropReason.NO_ROUTE, 1L);
        assertThatThrownBy(() -> a.send(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.send(ByteBuffer.allocate(a.mtu() + 1).put(0, (byte) 0x45))).hasMessageContaining("MTU");
    }

    @Test
    void syncChangesOnlyWhatDiffersAndKeepsTheSession() throws Exception {
        a.send(echo(aIp, bIp, 8, 1));
        assertThat(b.receive(Duration.ofSeconds(10))).isNotNull();
        Instant hs = b.peer(aKey.publicKey()).orElseThrow().latestHandshake().orElseThrow();
        Key cKey = Key.generatePrivate();
        TunnelConfig changed = TunnelConfig.builder("usb").privateKey(bKey).address("10.71.0.2/32")
                .peer(TunnelConfig.peer(aKey.publicKey()).allowedIps("10.71.0.1/32, 10.72.0.0/16").persistentKeepalive(25))
                .peer(TunnelConfig.peer(cKey.publicKey()).allowedIps("10.73.0.0/24").endpoint("127.0.0.1:9"))
                .build();
        assertThat(b.sync(changed)).isTrue();
        assertThat(b.sync(changed)).as("a second sync has nothing to do").isFalse();
        PeerStatus pa = b.peer(aKey.publicKey()).orElseThrow();
        assertThat(pa.allowedIps()).hasToString("[10.71.0.1/32, 10.72.0.0/16]");
        assertThat(pa.persistentKeepalive()).isEqualTo(Duration.ofSeconds(25));
        assertThat(pa.latestHandshake().orElseThrow()).isEqualTo(hs);
        assertThat(b.peers()).hasSize(2);
        // the session survived: traffic flows without a new handshake
        b.send(echo(bIp, aIp, 0, 2));
        assertThat(a.receive(Duration.ofSeconds(5))).isNotNull();
        assertThat(b.peer(aKey.publicKey()).orElseThrow().latestHandshake().orElseThrow()).isEqualTo(hs);

        TunnelConfig back = TunnelConfig.builder("usb").privateKey(bKey).address("10.71.0.2/32")
                .peer(TunnelConfig.peer(aKey.publicKey()).allowedIps("10.71.0.1/32")).build();
        assertThat(b.sync(back)).isTrue();
        assertThat(b.peers()).hasSize(1);
        assertThat(b.peer(aKey.publicKey()).orElseThrow().allowedIps()).hasToString("[10.71.0.1/32]");
        assertThat(b.peer(aKey.publicKey()).orElseThrow().persistentKeepalive()).isZero();
    }

    @Test
    void configFromWgQuickText() throws Exception {
        TunnelConfig c = TunnelConfig.parse("wgx", "[Interface]\nPrivateKey = " + aKey.toBase64() + "\nAddress = 10.71.0.1/32\nMTU = 1380\n\n"
                + "[Peer]\nPublicKey = " + bKey.publicKey().toBase64() + "\nAllowedIPs = 10.71.0.0/24\nEndpoint = 127.0.0.1:" + b.listenPort() + "\n");
        assertThat(c.name()).isEqualTo("wgx");
        assertThat(c.publicKey()).isEqualTo(aKey.publicKey());
        assertThat(c.toString()).doesNotContain(aKey.toBase64());
        a.close();
        a = Tunnel.userspace(c);
        assertThat(a.mtu()).isEqualTo(1380);
        a.send(echo(aIp, bIp, 8, 5));
        assertThat(b.receive(Duration.ofSeconds(10))).isNotNull();
    }
}
