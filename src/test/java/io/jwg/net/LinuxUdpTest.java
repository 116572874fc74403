package io.jwg.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
@SuppressWarnings("try")
class LinuxUdpTest {
    private Netns a;
    private Netns b;
    private LinuxUdp ua;
    private LinuxUdp ub;
    private Netns.Veth veth;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() throws Exception {
        Netns.assumeRoot();
        a = Netns.create("udpa");
        b = Netns.create("udpb");
        veth = Netns.pair(a, b, "10.220.0.1/24", "10.220.0.2/24");
        a.addAddress(veth.ifA(), "fd00:220::1/64");
        b.addAddress(veth.ifB(), "fd00:220::2/64");
        ua = a.runInside(() -> LinuxUdp.open(0));
        ub = b.runInside(() -> LinuxUdp.open(51820));
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        if (ua != null) {
            ua.close();
        }
        if (ub != null) {
            ub.close();
        }
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static Datagram[] numbered(int n, int size, Endpoint to) {
        Datagram[] batch = Datagram.batch(n, 2048);
        for (int i = 0; i < n; i++) {
            Datagram d = batch[i];
            d.offset = 3; // not at 0, to check offset handling
            d.length = size;
            d.endpoint = to;
            for (int j = 0; j < size; j++) {
                d.data[3 + j] = (byte) (i * 7 + j);
            }
        }
        return batch;
    }

    /** Receives until {@code n} datagrams arrived; returns copies of them (index order = arrival order). */
    private static List<Datagram> receiveAll(LinuxUdp u, int n) throws IOException {
        return receiveAll(u, n, 64);
    }

    private static List<Datagram> receiveAll(LinuxUdp u, int n, int batchSize) throws IOException {
        List<Datagram> got = new ArrayList<>();
        Datagram[] batch = Datagram.batch(batchSize, 2048);
        while (got.size() < n) {
            int k = u.receive(batch);
            assertThat(k).isPositive().isLessThanOrEqualTo(batch.length);
            for (int i = 0; i < k; i++) {
                Datagram c = new Datagram(batch[i].length).set(batch[i].data, batch[i].offset, batch[i].length, batch[i].endpoint);
                got.add(c);
            }
        }
        return got;
    }

    private void exchange(String addrA, String addrB) throws Exception {
        Endpoint toB = Endpoint.parse(addrB.contains(":") ? "[" + addrB + "]:51820" : addrB + ":51820");
        Datagram[] out = numbered(32, 1000, toB);
        assertThat(ua.send(out, 32)).isEqualTo(32);
        List<Datagram> got = pool.submit(() -> receiveAll(ub, 32)).get(10, TimeUnit.SECONDS);
        Endpoint fromA = got.getFirst().endpoint;
        assertThat(fromA.toString()).isEqualTo(addrA.contains(":") ? "[" + addrA + "]:" + ua.port() : addrA + ":" + ua.port());
        assertThat(fromA.sourceAddress()).isEqualTo(InetAddress.ofLiteral(addrB));
        for (int i = 0; i < 32; i++) {
            Datagram d = got.get(i);
            assertThat(d.endpoint).isSameAs(fromA); // cached: one instance per source
            assertThat(d.offset).isZero();
            assertThat(d.length).isEqualTo(1000);
            for (int j = 0; j < 1000; j++) {
                assertThat(d.data[j]).isEqualTo((byte) (i * 7 + j));
            }
        }
        // answer to the endpoint we received from
        Datagram[] reply = numbered(5, 10, fromA);
        assertThat(ub.send(reply, 5)).isEqualTo(5);
        List<Datagram> back = pool.submit(() -> receiveAll(ua, 5)).get(10, TimeUnit.SECONDS);
        assertThat(back).allSatisfy(d -> assertThat(d.endpoint.sameRemote(toB)).as("%s from %s", d.endpoint, toB).isTrue());
    }

    @Test
    void batchesOverIpv4() throws Exception {
        assertThat(ub.port()).isEqualTo(51820);
        assertThat(ua.port()).isPositive();
        assertThat(ua.isDualStack()).isTrue();
        exchange("10.220.0.1", "10.220.0.2");
    }

    @Test
    void batchesOverIpv6() throws Exception {
        exchange("fd00:220::1", "fd00:220::2");
    }

    @Test
    void mixedFamiliesInOneBatchAndUnreachableOnesSkipped() throws Exception {
        Datagram[] out = numbered(4, 20, Endpoint.parse("10.220.0.2:51820"));
        out[1].endpoint = Endpoint.parse("[fd00:220::2]:51820");
        out[2].endpoint = Endpoint.parse("10.99.0.1:51820"); // no route in namespace a
        assertThat(ua.send(out, 4)).isEqualTo(3);
        List<Datagram> got = pool.submit(() -> receiveAll(ub, 3)).get(10, TimeUnit.SECONDS);
        assertThat(got).extracting(d -> d.endpoint.toString()).containsExactlyInAnyOrder(
                "10.220.0.1:" + ua.port(), "[fd00:220::1]:" + ua.port(), "10.220.0.1:" + ua.port());
    }

    @Test
    void interoperatesWithJavaSockets() throws Exception {
        try (DatagramChannel ch = a.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress("10.220.0.1", 0)))) {
            ch.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress("10.220.0.2", 51820));
            List<Datagram> got = pool.submit(() -> receiveAll(ub, 1)).get(10, TimeUnit.SECONDS);
            assertThat(got.getFirst().endpoint.socketAddress()).isEqualTo(ch.getLocalAddress());
            assertThat(got.getFirst().length).isEqualTo(3);
            ub.send(new Datagram[] {new Datagram(10).set(new byte[] {9, 8}, 0, 2, got.getFirst().endpoint)}, 1);
            ByteBuffer buf = ByteBuffer.allocate(10);
            assertThat(ch.receive(buf)).isEqualTo(new InetSocketAddress("10.220.0.2", 51820));
            assertThat(buf.position()).isEqualTo(2);
        }
    }

    @Test
    void drainedTellsWhetherAReceiveLeftDatagramsWaiting() throws Exception {
        Datagram[] out = numbered(12, 40, Endpoint.parse("10.220.0.2:51820"));
        for (int i = 0; i < out.length; i++) out[i].length = 40 + i; // sizes no GRO would merge
        assertThat(ua.send(out, out.length)).isEqualTo(12);
        Thread.sleep(200); // all of them in b's socket
        Datagram[] in = Datagram.batch(5, 100);
        List<Boolean> drained = new ArrayList<>();
        int got = 0;
        while (got < 12) {
            got += pool.submit(() -> ub.receive(in)).get(10, TimeUnit.SECONDS);
            drained.add(ub.drained());
        }
        assertThat(got).isEqualTo(12);
        assertThat(drained.getLast()).as("the receive that took the last one").isTrue();
        assertThat(drained.subList(0, drained.size() - 1)).as("receives that left some: %s", drained).containsOnly(false);
    }

    @Test
    void tooLongDatagramsAreDropped() throws Exception {
        Endpoint toB = Endpoint.parse("10.220.0.2:51820");
        Datagram[] out = numbered(2, 500, toB);
        out[1].length = 50;
        ua.send(out, 2);
        Datagram[] in = Datagram.batch(4, 100);
        int n = pool.submit(() -> ub.receive(in)).get(10, TimeUnit.SECONDS);
        assertThat(n).isEqualTo(1);
        assertThat(in[0].length).isEqualTo(50);
    }

    @Test
    void portInUseIsAClearError() {
        assertThatThrownBy(() -> b.runInside(() -> LinuxUdp.open(51820)))
                .isInstanceOf(IOException.class).hasMessage("UDP port 51820 is already in use");
        // also when a plain IPv4 socket holds the port
        assertThatThrownBy(() -> a.runInside(() -> {
            try (DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET).bind(new InetSocketAddress(40001))) {
                return LinuxUdp.open(40001);
            }
        })).isInstanceOf(IOException.class).hasMessage("UDP port 40001 is already in use");
    }

    @Test
    void closeUnblocksReceiveAndFailsSend() throws Exception {
        Future<Integer> r1 = pool.submit(() -> ub.receive(Datagram.batch(8, 2048)));
        Future<Integer> r2 = pool.submit(() -> ub.receive(Datagram.batch(8, 2048)));
        Thread.sleep(200);
        assertThat(r1).isNotDone();
        ub.close();
        assertThat(r1.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(r2.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(ub.receive(Datagram.batch(1, 10))).isEqualTo(-1);
        assertThatThrownBy(() -> ub.send(numbered(1, 1, Endpoint.parse("10.220.0.1:1")), 1)).isInstanceOf(ClosedChannelException.class);
        ub.close();
        // the port is free again
        LinuxUdp again = b.runInside(() -> LinuxUdp.open(51820));
        again.close();
    }

    @Test
    void fwmark() throws Exception {
        ua.setMark(0x1234);
        assertThat(ua.mark()).isEqualTo(0x1234);
        ua.setMark(0);
        assertThat(ua.mark()).isZero();
    }

    @Test
    void gsoRunsArriveAsSeparateDatagramsInOrder() throws Exception {
        Endpoint toB = Endpoint.of(new InetSocketAddress("10.220.0.2", 51820));
        Endpoint toB6 = Endpoint.of(new InetSocketAddress("fd00:220::2", 51820));
        // 40 equal-size datagrams (one GSO run), a shorter one ending it, then datagrams to another
        // destination and of varying sizes: every boundary a run can have
        Datagram[] batch = Datagram.batch(60, 2048);
        for (int i = 0; i < 60; i++) {
            Datagram d = batch[i];
            d.offset = 5;
            d.length = i < 40 ? 1452 : i == 40 ? 300 : 100 + i * 10;
            d.endpoint = i >= 50 && i % 2 == 0 ? toB6 : toB;
            for (int j = 0; j < d.length; j++) d.data[5 + j] = (byte) (i * 31 + j);
        }
        Future<List<Datagram>> got = pool.submit(() -> receiveAll(ub, 60));
        assertThat(a.runInside(() -> ua.send(batch, 60))).isEqualTo(60);
        List<Datagram> r = got.get(20, TimeUnit.SECONDS);
        for (int i = 0; i < 60; i++) {
            Datagram d = r.get(i);
            assertThat(d.length).as("length of datagram %d", i).isEqualTo(batch[i].length);
            for (int j = 0; j < d.length; j++) {
                if (d.data[d.offset + j] != (byte) (i * 31 + j)) throw new AssertionError("datagram " + i + " byte " + j + " differs");
            }
        }
        assertThat(ua.gsoEnabled()).as("the kernel accepted UDP GSO").isTrue();
    }

    @Test
    void groBurstsLargerThanTheCallersBatchAreCutAcrossCalls() throws Exception {
        assertThat(ub.groEnabled()).as("the kernel accepted UDP GRO").isTrue();
        Endpoint toB = Endpoint.of(new InetSocketAddress("10.220.0.2", 51820));
        // three GSO runs of 50 (the receiver gets each as one coalesced message), read 7 at a time
        int total = 150;
        Datagram[] batch = Datagram.batch(50, 2048);
        Future<List<Datagram>> got = pool.submit(() -> receiveAll(ub, total, 7));
        for (int run = 0; run < 3; run++) {
            for (int i = 0; i < 50; i++) {
                Datagram d = batch[i];
                int seq = run * 50 + i;
                d.offset = 0;
                d.length = i == 49 ? 200 : 1200;
                d.endpoint = toB;
                for (int j = 0; j < d.length; j++) d.data[j] = (byte) (seq * 7 + j);
            }
            assertThat(a.runInside(() -> ua.send(batch, 50))).isEqualTo(50);
        }
        List<Datagram> r = got.get(20, TimeUnit.SECONDS);
        assertThat(r).hasSize(total);
        for (int seq = 0; seq < total; seq++) {
            Datagram d = r.get(seq);
            assertThat(d.length).as("length of datagram %d", seq).isEqualTo(seq % 50 == 49 ? 200 : 1200);
            assertThat(d.endpoint.port()).isEqualTo(ua.port());
            for (int j = 0; j < d.length; j++) {
                if (d.data[d.offset + j] != (byte) (seq * 7 + j)) throw new AssertionError("datagram " + seq + " byte " + j + " differs");
            }
        }
    }

    // ---------------------------------------------------------------------------------------- sticky source

    /**
     * A second address of b's interface, in the family of {@code v6}. IPv4: a secondary one in the subnet
     * (the first stays the preferred source). IPv6: one in another /64, routed on the link by a, so that
     * the source b prefers towards a stays fd00:220::2 (between two in one /64 Linux would take the newest).
     */
    private String secondAddressOfB(boolean v6) {
        if (!v6) {
            b.addAddress(veth.ifB(), "10.220.0.3/24");
            return "10.220.0.3";
        }
        b.addAddress(veth.ifB(), "fd00:221::3/64");
        a.exec("ip", "-6", "route", "replace", "fd00:221::/64", "dev", veth.ifA()).check("ip -6 route replace");
        return "fd00:221::3";
    }

    /** A plain Java socket in a, on a's address of the family. */
    private DatagramChannel javaSocketInA(boolean v6) throws Exception {
        String local = v6 ? "fd00:220::1" : "10.220.0.1";
        return a.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress(local, 0)));
    }

    /** Sends one datagram from ch to {@code to}:port and returns the endpoint u received it from. */
    private Endpoint reach(DatagramChannel ch, LinuxUdp u, String to, int port) throws Exception {
        ch.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress(to, port));
        return pool.submit(() -> receiveAll(u, 1)).get(10, TimeUnit.SECONDS).getFirst().endpoint;
    }

    /** Sends a single datagram, a GSO run of 4 and a last one from u to ep; returns their sources as ch saw them. */
    private List<InetSocketAddress> repliesAt(DatagramChannel ch, LinuxUdp u, Endpoint ep) throws Exception {
        Datagram[] replies = numbered(6, 200, ep);
        replies[0].length = 30;
        replies[5].length = 40;
        assertThat(u.send(replies, 6)).isEqualTo(6);
        List<InetSocketAddress> sources = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            sources.add((InetSocketAddress) pool.submit(() -> ch.receive(buf)).get(10, TimeUnit.SECONDS));
            assertThat(buf.position()).isEqualTo(replies[i].length);
        }
        return sources;
    }

    private int ifindexInB(String ifname) {
        return Integer.parseInt(b.run("ip", "-o", "link", "show", "dev", ifname).split(":")[0].strip());
    }

    /**
     * A socket bound to the wildcard, reached at the second address of its interface, records that
     * address (and the interface) in the endpoint and answers from it, not from the kernel's preferred
     * source; with GRO on receive (ub) and without (a socket opened with jwg.udp.nogro), with and without GSO.
     */
    @ParameterizedTest(name = "IPv6 {0}")
    @ValueSource(booleans = {false, true})
    void repliesLeaveFromTheAddressThePeerSentTo(boolean v6) throws Exception {
        String second = secondAddressOfB(v6);
        System.setProperty("jwg.udp.nogro", "true");
        LinuxUdp plain;
        try {
            plain = b.runInside(() -> LinuxUdp.open(51821));
        } finally {
            System.clearProperty("jwg.udp.nogro");
        }
        try (plain; DatagramChannel ch = javaSocketInA(v6)) {
            assertThat(plain.groEnabled()).isFalse();
            for (LinuxUdp u : List.of(ub, plain)) {
                assertThat(u.stickySources()).isTrue();
                Endpoint ep = reach(ch, u, second, u.port());
                assertThat(ep.socketAddress()).isEqualTo(ch.getLocalAddress());
                assertThat(ep.sourceAddress()).isEqualTo(InetAddress.ofLiteral(second));
                assertThat(ep.sourceIfindex()).isEqualTo(ifindexInB(veth.ifB()));
                assertThat(ep.toString()).doesNotContain(second);
                assertThat(ep).isNotEqualTo(ep.withoutSource()).isSameAs(reach(ch, u, second, u.port()));
                assertThat(repliesAt(ch, u, ep)).containsOnly(new InetSocketAddress(second, u.port()));
                // without a source, the kernel picks its preferred one: what the source changes
                assertThat(repliesAt(ch, u, ep.withoutSource())).doesNotContain(new InetSocketAddress(second, u.port()));
            }
        }
    }

    /**
     * A source that is no longer on the host: the kernel refuses it (IPv6 EINVAL, IPv4 ENETUNREACH), the
     * datagrams go out without it, later sends leave it out, and once a datagram arrives at the address
     * again, replies leave from it again.
     */
    @ParameterizedTest(name = "IPv6 {0}")
    @ValueSource(booleans = {false, true})
    void aSourceRemovedFromTheHostIsLeftOutUntilItIsReachedAgain(boolean v6) throws Exception {
        String second = secondAddressOfB(v6);
        String first = v6 ? "fd00:220::2" : "10.220.0.2";
        try (DatagramChannel ch = javaSocketInA(v6)) {
            Endpoint ep = reach(ch, ub, second, 51820);
            assertThat(repliesAt(ch, ub, ep)).containsOnly(new InetSocketAddress(second, 51820));
            b.exec("ip", "addr", "del", second + (v6 ? "/64" : "/24"), "dev", veth.ifB()).check("ip addr del");
            assertThat(repliesAt(ch, ub, ep)).containsOnly(new InetSocketAddress(first, 51820));
            assertThat(ub.refusedSource()).isSameAs(ep);
            assertThat(repliesAt(ch, ub, ep)).containsOnly(new InetSocketAddress(first, 51820));

            secondAddressOfB(v6);
            assertThat(reach(ch, ub, second, 51820)).isEqualTo(ep);
            assertThat(ub.refusedSource()).isNull();
            assertThat(repliesAt(ch, ub, ep)).containsOnly(new InetSocketAddress(second, 51820));
        }
    }

    /** A source that fails for another reason than its address (here: no route at all) is not held refused. */
    @Test
    void aSourceIsNotHeldRefusedWhenTheDestinationIsUnreachable() throws Exception {
        String second = secondAddressOfB(false);
        Endpoint nowhere = Endpoint.parse("10.99.0.1:51820").withSource(InetAddress.ofLiteral(second), 0);
        Datagram[] out = numbered(2, 20, nowhere);
        out[1].endpoint = Endpoint.parse("10.220.0.1:9");
        assertThat(ub.send(out, 2)).isEqualTo(1);
        assertThat(ub.refusedSource()).isNull();
    }
}
