package io.jwg.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AllowedIpsTest {
    static byte[] ip(String s) throws Exception {
        return InetAddress.getByName(s).getAddress();
    }

    @Test
    void longestPrefixWinsForV4AndV6() throws Exception {
        AllowedIps<String> t = new AllowedIps.Builder<String>()
                .put(ip("0.0.0.0"), 0, "default")
                .put(ip("10.0.0.0"), 8, "ten")
                .put(ip("10.1.2.0"), 24, "ten-one-two")
                .put(ip("10.1.2.3"), 32, "host")
                .put(ip("fd00::"), 8, "ula")
                .put(ip("fd00:1::"), 32, "ula-1")
                .build();
        assertThat(t.lookup(ip("10.1.2.3"))).isEqualTo("host");
        assertThat(t.lookup(ip("10.1.2.4"))).isEqualTo("ten-one-two");
        assertThat(t.lookup(ip("10.9.9.9"))).isEqualTo("ten");
        assertThat(t.lookup(ip("192.168.0.1"))).isEqualTo("default");
        assertThat(t.lookup(ip("fd00:1::5"))).isEqualTo("ula-1");
        assertThat(t.lookup(ip("fd00:2::5"))).isEqualTo("ula");
        assertThat(t.lookup(ip("2001:db8::1"))).isNull();
    }

    @Test
    void hostBitsAreMaskedAndReinsertingMovesThePrefix() throws Exception {
        AllowedIps<String> t = new AllowedIps.Builder<String>()
                .put(ip("10.1.2.77"), 24, "a")
                .put(ip("10.1.2.0"), 24, "b")
                .build();
        assertThat(t.entries()).hasSize(1);
        assertThat(t.lookup(ip("10.1.2.1"))).isEqualTo("b");
        assertThat(t.entries().get(0).address()).isEqualTo(ip("10.1.2.0"));
        AllowedIps<String> r = t.toBuilder().removeAll("b").build();
        assertThat(r.lookup(ip("10.1.2.1"))).isNull();
    }

    @Test
    void lookupInsideAPacketBuffer() throws Exception {
        AllowedIps<String> t = new AllowedIps.Builder<String>().put(ip("10.5.0.0"), 16, "x").build();
        byte[] packet = new byte[40];
        System.arraycopy(ip("10.5.3.4"), 0, packet, 16, 4);
        assertThat(t.lookup(packet, 16, 4)).isEqualTo("x");
    }

    @Test
    void prefixesAddedAboveAndBesideEachOtherInAnyOrder() throws Exception {
        // a host first, then a network above it, then a sibling that splits the compressed path
        AllowedIps<String> t = new AllowedIps.Builder<String>()
                .put(ip("10.1.2.3"), 32, "host")
                .put(ip("10.1.0.0"), 16, "net")
                .put(ip("10.1.2.128"), 25, "upper-half")
                .put(ip("fd00::1"), 128, "host6")
                .put(ip("fd00::"), 127, "pair6")
                .build();
        assertThat(t.lookup(ip("10.1.2.3"))).isEqualTo("host");
        assertThat(t.lookup(ip("10.1.2.2"))).isEqualTo("net");
        assertThat(t.lookup(ip("10.1.2.200"))).isEqualTo("upper-half");
        assertThat(t.lookup(ip("10.2.0.1"))).isNull();
        assertThat(t.lookup(ip("fd00::1"))).isEqualTo("host6");
        assertThat(t.lookup(ip("fd00::"))).isEqualTo("pair6");
        assertThat(t.lookup(ip("fd00::2"))).isNull();
        assertThatThrownBy(() -> t.lookup(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void agreesWithANaiveListOnRandomPrefixes() {
        Random r = new Random(7);
        for (int family : new int[] {4, 16}) {
            AllowedIps.Builder<Integer> b = new AllowedIps.Builder<>();
            List<int[]> lens = new ArrayList<>();
            List<byte[]> addrs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                byte[] a = new byte[family];
                r.nextBytes(a);
                a[0] = (byte) (a[0] & 0x0f); // cluster so that prefixes overlap
                int len = r.nextInt(family * 8 + 1);
                b.put(a, len, i);
            }
            AllowedIps<Integer> t = b.build();
            for (AllowedIps.Entry<Integer> e : t.entries()) {
                addrs.add(e.address());
                lens.add(new int[] {e.prefixLength(), e.value()});
            }
            for (int q = 0; q < 20_000; q++) {
                byte[] x = new byte[family];
                r.nextBytes(x);
                x[0] = (byte) (x[0] & 0x0f);
                Integer best = null;
                int bestLen = -1;
                for (int i = 0; i < addrs.size(); i++) {
                    int len = lens.get(i)[0];
                    if (len > bestLen && matches(addrs.get(i), x, len)) {
                        best = lens.get(i)[1];
                        bestLen = len;
                    }
                }
                assertThat(t.lookup(x)).isEqualTo(best);
            }
        }
    }

    static boolean matches(byte[] net, byte[] x, int len) {
        for (int i = 0; i < len; i++) {
            int bn = (net[i >>> 3] >>> (7 - (i & 7))) & 1;
            int bx = (x[i >>> 3] >>> (7 - (i & 7))) & 1;
            if (bn != bx) return false;
        }
        return true;
    }
}
