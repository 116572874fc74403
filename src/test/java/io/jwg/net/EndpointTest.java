package io.jwg.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

@SuppressWarnings("restricted")
class EndpointTest {

    @Test
    void parseAndPrintLikeWg() {
        assertThat(Endpoint.parse("1.2.3.4:51820").toString()).isEqualTo("1.2.3.4:51820");
        assertThat(Endpoint.parse("[fd00::1]:51820").toString()).isEqualTo("[fd00::1]:51820");
        assertThat(Endpoint.parse("[FD00:0:0:0:0:0:0:1]:1").toString()).isEqualTo("[fd00::1]:1");
        assertThat(Endpoint.parse("[::1]:0").toString()).isEqualTo("[::1]:0");
        assertThat(Endpoint.parse("[::]:5").toString()).isEqualTo("[::]:5");
        assertThat(Endpoint.parse("[2001:db8:0:0:1:0:0:1]:5").toString()).isEqualTo("[2001:db8::1:0:0:1]:5");
        assertThat(Endpoint.parse("[2001:db8:0:1:1:1:1:1]:5").toString()).isEqualTo("[2001:db8:0:1:1:1:1:1]:5");
        assertThat(Endpoint.parse("[1::]:5").toString()).isEqualTo("[1::]:5");
        assertThat(Endpoint.parse(" 10.0.0.1:65535 ").port()).isEqualTo(65535);
    }

    @Test
    void v4MappedBecomesIpv4() throws Exception {
        Endpoint e = Endpoint.parse("[::ffff:1.2.3.4]:7");
        assertThat(e.toString()).isEqualTo("1.2.3.4:7");
        assertThat(e.address()).isInstanceOf(Inet4Address.class);
        assertThat(e.isIPv4()).isTrue();
        byte[] mapped = new byte[16];
        mapped[10] = mapped[11] = (byte) 0xff;
        mapped[12] = 1; mapped[13] = 2; mapped[14] = 3; mapped[15] = 4;
        Endpoint f = Endpoint.of(java.net.Inet6Address.getByAddress(null, mapped, -1), 7);
        assertThat(f).isEqualTo(e).hasSameHashCodeAs(e);
        assertThat(f.address()).isInstanceOf(Inet4Address.class);
        assertThat(Endpoint.fromKey(e.hi, e.lo, 7, 0)).isEqualTo(e);
    }

    @Test
    void equalityAndConversions() throws Exception {
        Endpoint a = Endpoint.of(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 51820));
        Endpoint b = Endpoint.parse("10.1.2.3:51820");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(Endpoint.parse("10.1.2.3:51821"));
        assertThat(a.socketAddress()).isEqualTo(new InetSocketAddress("10.1.2.3", 51820));
        assertThat(Endpoint.parse("[fd00::1]:1")).isEqualTo(Endpoint.of(InetAddress.getByName("fd00::1"), 1))
                .isNotEqualTo(Endpoint.parse("[fd00::2]:1"));
        assertThat(Endpoint.parse("[fd00::1]:1").isIPv4()).isFalse();
    }

    @Test
    void theSourceCountsForEqualityButNotForText() throws Exception {
        Endpoint remote = Endpoint.parse("10.1.2.3:51820");
        Endpoint viaA = remote.withSource(InetAddress.getByName("10.9.0.2"), 3);
        Endpoint viaB = remote.withSource(InetAddress.getByName("10.9.0.3"), 3);
        assertThat(remote.hasSource()).isFalse();
        assertThat(remote.sourceAddress()).isNull();
        assertThat(viaA.hasSource()).isTrue();
        assertThat(viaA.sourceAddress()).isEqualTo(InetAddress.getByName("10.9.0.2"));
        assertThat(viaA.sourceIfindex()).isEqualTo(3);
        assertThat(viaA).isNotEqualTo(remote).isNotEqualTo(viaB).isNotEqualTo(remote.withSource(InetAddress.getByName("10.9.0.2"), 4))
                .isEqualTo(remote.withSource(InetAddress.getByName("10.9.0.2"), 3))
                .hasSameHashCodeAs(remote.withSource(InetAddress.getByName("10.9.0.2"), 3));
        assertThat(viaA.toString()).isEqualTo(remote.toString());
        assertThat(viaA.socketAddress()).isEqualTo(remote.socketAddress());
        assertThat(viaA.sameRemote(viaB)).isTrue();
        assertThat(viaA.sameRemote(Endpoint.parse("10.1.2.3:51821"))).isFalse();
        assertThat(viaA.sameRemote(null)).isFalse();
        assertThat(viaA.withoutSource()).isEqualTo(remote);
        assertThat(remote.withoutSource()).isSameAs(remote);
        assertThat(Endpoint.fromKey(viaA.hi, viaA.lo, 51820, 0, viaA.srcHi, viaA.srcLo, 3)).isEqualTo(viaA);
        Endpoint v6 = Endpoint.parse("[fd00::1]:1").withSource(InetAddress.getByName("fd00::9"), 0);
        assertThat(v6.sourceAddress()).isEqualTo(InetAddress.getByName("fd00::9"));
        assertThat(v6).isNotEqualTo(Endpoint.parse("[fd00::1]:1"));
    }

    @Test
    void scopedAddress() throws Exception {
        // an interface index that does not exist here prints as a number
        Endpoint e = Endpoint.of(java.net.Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 99999), 9);
        assertThat(e.toString()).isEqualTo("[fe80::1%99999]:9");
        assertThat(e).isNotEqualTo(Endpoint.parse("[fe80::1]:9"));
        assertThat(Endpoint.fromKey(e.hi, e.lo, 9, 99999)).isEqualTo(e);
        assertThat(Endpoint.parse("[fe80::1%99999]:9")).isEqualTo(e);
        Endpoint lo = Endpoint.parse("[fe80::1%lo]:9");
        assertThat(lo.toString()).isEqualTo("[fe80::1%lo]:9");
        assertThatThrownBy(() -> Endpoint.parse("[fe80::1%nosuchif0]:9")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sockaddrBytes() {
        ByteBuffer v4 = ByteBuffer.wrap(Endpoint.parse("1.2.3.4:51820").sockaddr()).order(ByteOrder.nativeOrder());
        assertThat(v4.getShort(0)).isEqualTo((short) 10);
        assertThat(v4.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff).isEqualTo(51820);
        assertThat(java.util.Arrays.copyOfRange(v4.array(), 8, 24))
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4);
        byte[] v6 = Endpoint.parse("[fd00::1]:1").sockaddr();
        assertThat(v6).hasSize(28);
        assertThat(v6[8] & 0xff).isEqualTo(0xfd);
        assertThat(v6[23]).isEqualTo((byte) 1);
    }

    @Test
    void rejectsMalformed() {
        for (String bad : new String[] {"1.2.3.4", "fd00::1:51820", "[1.2.3.4]:5", "1.2.3.4:70000", "1.2.3.4:-1",
                "1.2.3.4:x", "host.example:1", "[fd00::1]", ":5", "1.2.3:5", "[fd00::1]:+5"}) {
            assertThatThrownBy(() -> Endpoint.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.strip());
        }
    }

    @Test
    void resolveAcceptsNames() throws Exception {
        assertThat(Endpoint.resolve("localhost:51820").port()).isEqualTo(51820);
        assertThat(Endpoint.resolve("[fd00::1]:1")).isEqualTo(Endpoint.parse("[fd00::1]:1"));
        assertThat(Endpoint.resolve("1.2.3.4:1")).isEqualTo(Endpoint.parse("1.2.3.4:1"));
    }

    /** Our IPv6 text must be exactly what glibc's inet_ntop prints (what wg shows). */
    @Test
    void ipv6TextMatchesInetNtop() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle ntop = linker.downcallHandle(linker.defaultLookup().find("inet_ntop").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        Random rnd = new Random(42);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(16);
            MemorySegment dst = arena.allocate(64);
            for (int i = 0; i < 20_000; i++) {
                byte[] a = new byte[16];
                for (int g = 0; g < 8; g++) {
                    int kind = rnd.nextInt(4);
                    int v = kind < 2 ? 0 : kind == 2 ? rnd.nextInt(16) : rnd.nextInt(65536);
                    a[2 * g] = (byte) (v >>> 8);
                    a[2 * g + 1] = (byte) v;
                }
                if (i % 50 == 0) { // IPv4-compatible
                    java.util.Arrays.fill(a, 0, 12, (byte) 0);
                }
                boolean mapped = a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0
                        && a[7] == 0 && a[8] == 0 && a[9] == 0 && a[10] == (byte) 0xff && a[11] == (byte) 0xff;
                if (mapped) {
                    continue; // becomes IPv4
                }
                MemorySegment.copy(a, 0, src, ValueLayout.JAVA_BYTE, 0, 16);
                MemorySegment r = (MemorySegment) ntop.invokeExact(10, src, dst, 64);
                String expected = dst.getString(0);
                StringBuilder sb = new StringBuilder();
                Endpoint.appendIPv6(sb, a);
                assertThat(sb.toString()).as(expected).isEqualTo(expected);
                assertThat(r.address()).isEqualTo(dst.address());
            }
        }
    }
}
