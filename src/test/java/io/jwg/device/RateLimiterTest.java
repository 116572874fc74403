package io.jwg.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void allowsABurstThenTwentyPerSecond() throws Exception {
        RateLimiter r = new RateLimiter();
        InetAddress a = InetAddress.getByName("10.1.1.1");
        long t = 1_000_000_000_000L;
        int allowed = 0;
        for (int i = 0; i < 100; i++) if (r.allow(a, t)) allowed++;
        assertThat(allowed).isEqualTo(5);
        int later = 0;
        for (int ms = 1; ms <= 1000; ms++) if (r.allow(a, t + ms * 1_000_000L)) later++;
        assertThat(later).isBetween(19, 21);
        assertThat(r.allow(InetAddress.getByName("10.1.1.2"), t + 1_000_000_000L)).isTrue();
    }

    @Test
    void ipv6SourcesShareTheirSlash64() throws Exception {
        RateLimiter r = new RateLimiter();
        long t = 5_000_000_000L;
        for (int i = 0; i < 5; i++) assertThat(r.allow(InetAddress.getByName("fd00:1:2:3::" + (i + 1)), t)).isTrue();
        assertThat(r.allow(InetAddress.getByName("fd00:1:2:3::99"), t)).isFalse();
        assertThat(r.allow(InetAddress.getByName("fd00:1:2:4::1"), t)).isTrue();
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfSources() throws Exception {
        RateLimiter r = new RateLimiter();
        long t = 10_000_000_000L;
        byte[] ip = new byte[4];
        for (int i = 0; i < RateLimiter.MAX_ENTRIES + 1000; i++) {
            ip[0] = 10;
            ip[1] = (byte) (i >>> 16);
            ip[2] = (byte) (i >>> 8);
            ip[3] = (byte) i;
            r.allow(InetAddress.getByAddress(ip), t);
        }
        assertThat(r.size()).isEqualTo(RateLimiter.MAX_ENTRIES);
        r.allow(InetAddress.getByName("10.200.0.1"), t + 2_000_000_000L); // idle buckets are swept
        assertThat(r.size()).isEqualTo(1);
    }
}
