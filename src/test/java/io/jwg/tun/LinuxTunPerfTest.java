package io.jwg.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.testing.Netns;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Timed loop (not a unit test): TUN write + read round trip per packet, single thread. An ICMP echo request
 * written into the TUN is answered by the kernel; the echo reply is read back. Compares the two ways of
 * moving bytes between the kernel and a byte[]. Run with {@code -Djwg.perf=true -Dtest=LinuxTunPerfTest}.
 */
@Timeout(120)
class LinuxTunPerfTest {

    @Test
    void roundTrip() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("jwg.perf"), "performance loop: run with -Djwg.perf=true");
        Netns.assumeRoot();
        try (Netns ns = Netns.create("tunperf")) {
            for (int size : new int[] {64, 1400}) {
                for (int round = 0; round < 2; round++) {
                    for (LinuxTun.Io io : LinuxTun.Io.values()) {
                        measure(ns, io, size, round == 0 ? 50_000 : 200_000, round == 1);
                    }
                }
            }
        }
    }

    private static void measure(Netns ns, LinuxTun.Io io, int size, int iterations, boolean print) throws Exception {
        try (LinuxTun tun = ns.runInside(() -> LinuxTun.create("jwgperf%d", io))) {
            ns.run("ip", "addr", "add", "10.211.0.1/24", "dev", tun.name());
            ns.run("ip", "link", "set", tun.name(), "mtu", "1500", "up");
            byte[] req = Packets.echoRequest4(InetAddress.getByName("10.211.0.2"), InetAddress.getByName("10.211.0.1"),
                    7, 1, size - 28);
            byte[] buf = new byte[2048];
            // drain whatever the kernel sends when the link comes up
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long replies = 0;
            long alloc0 = mx.getCurrentThreadAllocatedBytes();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long user0 = mx.getCurrentThreadUserTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                tun.write(req, 0, req.length);
                int n;
                do {
                    n = tun.read(buf, 16, 2000);
                } while (buf[16 + 9] != 1 || buf[16 + 20] != 0);
                replies++;
            }
            long t1 = System.nanoTime();
            long alloc = mx.getCurrentThreadAllocatedBytes() - alloc0;
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long user = mx.getCurrentThreadUserTime() - user0;
            assertThat(replies).isEqualTo(iterations);
            if (print) {
                System.out.printf("TUN round trip %-8s %4d-byte packets: %6.2f us/packet (%,.0f packets/s), %.1f bytes allocated/packet, CPU %.2f us/packet of which user space %.0f%%%n",
                        io, size, (t1 - t0) / 1e3 / iterations, iterations * 1e9 / (t1 - t0), (double) alloc / iterations,
                        cpu / 1e3 / iterations, 100.0 * user / cpu);
            }
        }
    }
}
