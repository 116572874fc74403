package io.jwg.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LinuxTunTest {
    private Netns ns;
    private LinuxTun tun;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() throws Exception {
        Netns.assumeRoot();
        ns = Netns.create("tun");
        tun = ns.runInside(() -> LinuxTun.create("jwgtun0"));
        ns.run("ip", "addr", "add", "10.210.0.1/24", "dev", "jwgtun0");
        ns.run("ip", "-6", "addr", "add", "fd00:210::1/64", "dev", "jwgtun0", "nodad");
        ns.run("ip", "link", "set", "jwgtun0", "up");
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        if (tun != null) {
            tun.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    /** Reads packets until one matches; returns its length in buf. */
    private int readUntil(byte[] buf, java.util.function.IntPredicate match) throws IOException {
        while (true) {
            int n = tun.read(buf, 0, buf.length);
            assertThat(n).isPositive();
            if (match.test(n)) {
                return n;
            }
        }
    }

    @Test
    void pingIsReadAsEchoRequestAndAnsweredByWrite() throws Exception {
        assertThat(tun.name()).isEqualTo("jwgtun0");
        Future<Netns.Result> ping = pool.submit(() -> ns.exec("ping", "-c", "1", "-W", "5", "10.210.0.2"));
        byte[] buf = new byte[2000];
        int n = readUntil(buf, len -> Packets.version(buf, 0) == 4 && Packets.protocol(buf, 0) == 1
                && buf[Packets.headerLength(buf, 0)] == 8);
        assertThat(Packets.src(buf, 0)).isEqualTo(InetAddress.getByName("10.210.0.1"));
        assertThat(Packets.dst(buf, 0)).isEqualTo(InetAddress.getByName("10.210.0.2"));
        assertThat(Packets.get16(buf, 2)).isEqualTo(n);
        byte[] reply = Packets.echoReply4(buf, n);
        tun.write(reply, 0, reply.length);
        Netns.Result r = ping.get(10, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("1 received");
    }

    @Test
    void ping6IsReadAsIcmpv6EchoRequest() throws Exception {
        Future<Netns.Result> ping = pool.submit(() -> ns.exec("ping", "-6", "-c", "1", "-W", "2", "fd00:210::2"));
        byte[] buf = new byte[2000];
        // skip router solicitations / MLD reports the kernel may send when the link comes up
        readUntil(buf, len -> Packets.version(buf, 0) == 6 && Packets.protocol(buf, 0) == 58 && (buf[40] & 0xff) == 128);
        assertThat(Packets.src(buf, 0)).isEqualTo(InetAddress.getByName("fd00:210::1"));
        assertThat(Packets.dst(buf, 0)).isEqualTo(InetAddress.getByName("fd00:210::2"));
        ping.get(10, TimeUnit.SECONDS);
    }

    @Test
    void writtenUdpPacketIsDeliveredToALocalSocket() throws Exception {
        try (DatagramChannel rx = ns.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress("10.210.0.1", 0)))) {
            int port = ((InetSocketAddress) rx.getLocalAddress()).getPort();
            byte[] payload = "through the tun".getBytes(StandardCharsets.US_ASCII);
            byte[] pkt = Packets.udp4(InetAddress.getByName("10.210.0.2"), 4444, InetAddress.getByName("10.210.0.1"), port, payload);
            // at an offset, to check off/len handling
            byte[] framed = new byte[pkt.length + 20];
            System.arraycopy(pkt, 0, framed, 16, pkt.length);
            tun.write(framed, 16, pkt.length);
            ByteBuffer got = ByteBuffer.allocate(100);
            InetSocketAddress from = (InetSocketAddress) CompletableFuture.supplyAsync(() -> {
                try {
                    return rx.receive(got);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, pool).get(5, TimeUnit.SECONDS);
            assertThat(from).isEqualTo(new InetSocketAddress("10.210.0.2", 4444));
            assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("through the tun");
        }
    }

    @Test
    void readAtOffset() throws Exception {
        pool.submit(() -> ns.exec("ping", "-c", "1", "-W", "1", "10.210.0.9"));
        byte[] buf = new byte[2000];
        int n;
        do {
            n = tun.read(buf, 16, 1500);
        } while (Packets.version(buf, 16) != 4);
        assertThat(Packets.get16(buf, 18)).isEqualTo(n);
        assertThat(Packets.dst(buf, 16)).isEqualTo(InetAddress.getByName("10.210.0.9"));
    }

    @Test
    void garbageWriteIsRejectedWithClearMessage() {
        byte[] junk = new byte[40];
        junk[0] = 0x12;
        assertThatThrownBy(() -> tun.write(junk, 0, junk.length)).isInstanceOf(IOException.class)
                .hasMessageContaining("jwgtun0").hasMessageContaining("rejected a 40-byte packet"); // the packet, not the virtio header
    }

    @Test
    void existingNameIsAClearError() throws Exception {
        assertThatThrownBy(() -> ns.runInside(() -> LinuxTun.create("jwgtun0")))
                .isInstanceOf(IOException.class).hasMessageContaining("'jwgtun0'").hasMessageContaining("already exists");
        assertThatThrownBy(() -> ns.runInside(() -> LinuxTun.create("lo")))
                .isInstanceOf(IOException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> LinuxTun.create("much-too-long-name"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("15");
    }

    @Test
    void kernelChosenName() throws Exception {
        try (LinuxTun t = ns.runInside(() -> LinuxTun.create("jwgk%d"))) {
            assertThat(t.name()).matches("jwgk\\d+");
            assertThat(ns.exec("ip", "link", "show", t.name()).exitCode()).isZero();
        }
    }

    @Test
    void closeUnblocksReadersAndRemovesTheInterface() throws Exception {
        tun.close();
        tun = ns.runInside(() -> LinuxTun.create("jwgtun1")); // never up: nothing will be queued
        Future<Integer> r1 = pool.submit(() -> tun.read(new byte[2000], 0, 2000));
        Future<Integer> r2 = pool.submit(() -> tun.read(new byte[2000], 0, 2000));
        Thread.sleep(200);
        assertThat(r1).isNotDone();
        tun.close();
        assertThat(r1.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(r2.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(tun.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThatThrownBy(() -> tun.write(new byte[20], 0, 20)).isInstanceOf(java.nio.channels.ClosedChannelException.class);
        Netns.waitFor(Duration.ofSeconds(5), "jwgtun1 to disappear", () -> ns.exec("ip", "link", "show", "jwgtun1").exitCode() != 0);
        tun.close(); // idempotent
    }

    @Test
    void shortBufferTruncates() throws Exception {
        pool.submit(() -> ns.exec("ping", "-c", "1", "-s", "500", "-W", "1", "10.210.0.3"));
        byte[] buf = new byte[100];
        int n;
        do {
            n = tun.read(buf, 0, 100);
        } while (Packets.version(buf, 0) != 4);
        System.out.println("read with max=100 of a 528-byte packet returned " + n);
        assertThat(n).isEqualTo(100);
    }

    @Test
    void interfaceDeletedFromOutsideIsAnError() throws Exception {
        tun.close();
        tun = ns.runInside(() -> LinuxTun.create("jwgtun2"));
        Future<Integer> r = pool.submit(() -> tun.read(new byte[2000], 0, 2000));
        Thread.sleep(200);
        ns.run("ip", "link", "del", "jwgtun2");
        assertThatThrownBy(() -> r.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("jwgtun2").hasMessageContaining("no longer exists");
    }
}
