package io.jwg.net;

import io.jwg.testing.Netns;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Timed loop (not a unit test): UDP through a veth between two namespaces, one sender thread (batches of 32
 * with sendmmsg) and one receiver thread (recvmmsg, batches of up to 32); packets per second on each side
 * and bytes allocated per received datagram. A java.nio DatagramChannel pair (one datagram per call) is
 * measured the same way for comparison. Run with {@code -Djwg.perf=true -Dtest=LinuxUdpPerfTest}.
 */
@Timeout(180)
@SuppressWarnings("try") // receivers are unblocked by closing early
class LinuxUdpPerfTest {
    private static final long WARMUP_NANOS = 2_000_000_000L;
    private static final long MEASURE_NANOS = 3_000_000_000L;

    @Test
    void throughput() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("jwg.perf"), "performance loop: run with -Djwg.perf=true");
        Netns.assumeRoot();
        try (Netns a = Netns.create("perfa"); Netns b = Netns.create("perfb")) {
            Netns.pair(a, b, "10.240.0.1/24", "10.240.0.2/24");
            for (int size : new int[] {64, 1420}) {
                singleThread(a, b, size);
                linuxUdp(a, b, size);
                nio(a, b, size);
            }
        }
    }

    private static void linuxUdp(Netns a, Netns b, int size) throws Exception {
        try (LinuxUdp tx = a.runInside(() -> LinuxUdp.open(0)); LinuxUdp rx = b.runInside(() -> LinuxUdp.open(0))) {
            Endpoint to = Endpoint.parse("10.240.0.2:" + rx.port());
            AtomicLong received = new AtomicLong();
            long[] allocated = new long[3];
            Thread receiver = Thread.ofPlatform().name("rx").start(() -> {
                var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                Datagram[] batch = Datagram.batch(32, 2048);
                long start = System.nanoTime();
                boolean measuring = false;
                long countAtStart = 0;
                try {
                    int n;
                    long calls = 0;
                    while ((n = rx.receive(batch)) >= 0) {
                        long c = received.addAndGet(n);
                        if (measuring) {
                            calls++;
                        }
                        if (!measuring && System.nanoTime() - start > WARMUP_NANOS) {
                            measuring = true;
                            countAtStart = c;
                            allocated[0] = mx.getCurrentThreadAllocatedBytes();
                        }
                    }
                    allocated[1] = mx.getCurrentThreadAllocatedBytes() - allocated[0];
                    allocated[0] = received.get() - countAtStart;
                    allocated[2] = calls;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Datagram[] batch = Datagram.batch(32, 2048);
            for (Datagram d : batch) {
                d.length = size;
                d.endpoint = to;
            }
            long sent = 0;
            long sentAtStart = 0;
            long rxAtStart = 0;
            long t0 = System.nanoTime();
            long tStart = 0;
            while (true) {
                long now = System.nanoTime();
                if (tStart == 0 && now - t0 > WARMUP_NANOS) {
                    tStart = now;
                    sentAtStart = sent;
                    rxAtStart = received.get();
                }
                if (tStart != 0 && now - tStart > MEASURE_NANOS) {
                    break;
                }
                sent += tx.send(batch, 32);
            }
            long t1 = System.nanoTime();
            long rxCount = received.get() - rxAtStart;
            Thread.sleep(100);
            rx.close();
            receiver.join(5000);
            double secs = (t1 - tStart) / 1e9;
            System.out.printf("LinuxUdp   %4d-byte payload: sent %,10.0f pps (batches of 32), received %,10.0f pps, %.1f datagrams per receive() call, %.2f bytes allocated per received datagram%n",
                    size, (sent - sentAtStart) / secs, rxCount / secs, allocated[2] == 0 ? 0.0 : (double) allocated[0] / allocated[2],
                    allocated[0] == 0 ? 0.0 : (double) allocated[1] / allocated[0]);
        }
    }

    private static void nio(Netns a, Netns b, int size) throws Exception {
        try (DatagramChannel tx = a.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress(0)));
                DatagramChannel rx = b.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress(0)))) {
            InetSocketAddress to = new InetSocketAddress("10.240.0.2", ((InetSocketAddress) rx.getLocalAddress()).getPort());
            AtomicLong received = new AtomicLong();
            Thread receiver = Thread.ofPlatform().name("rx-nio").start(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(2048);
                try {
                    while (true) {
                        buf.clear();
                        if (rx.receive(buf) != null) {
                            received.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            ByteBuffer out = ByteBuffer.allocateDirect(2048);
            long sent = 0;
            long sentAtStart = 0;
            long rxAtStart = 0;
            long t0 = System.nanoTime();
            long tStart = 0;
            while (true) {
                long now = System.nanoTime();
                if (tStart == 0 && now - t0 > WARMUP_NANOS) {
                    tStart = now;
                    sentAtStart = sent;
                    rxAtStart = received.get();
                }
                if (tStart != 0 && now - tStart > MEASURE_NANOS) {
                    break;
                }
                for (int i = 0; i < 32; i++) {
                    out.clear().limit(size);
                    tx.send(out, to);
                    sent++;
                }
            }
            long t1 = System.nanoTime();
            long rxCount = received.get() - rxAtStart;
            rx.close();
            receiver.join(5000);
            double secs = (t1 - tStart) / 1e9;
            System.out.printf("nio DatagramChannel %4d-byte payload: sent %,10.0f pps (one per call), received %,10.0f pps%n",
                    size, (sent - sentAtStart) / secs, rxCount / secs);
        }
    }

    /** One thread: send a batch of 32, receive those 32, repeat. Total per-packet cost of both sides. */
    private static void singleThread(Netns a, Netns b, int size) throws Exception {
        try (LinuxUdp tx = a.runInside(() -> LinuxUdp.open(0)); LinuxUdp rx = b.runInside(() -> LinuxUdp.open(0))) {
            Endpoint to = Endpoint.parse("10.240.0.2:" + rx.port());
            Datagram[] out = Datagram.batch(32, 2048);
            for (Datagram d : out) {
                d.length = size;
                d.endpoint = to;
            }
            Datagram[] in = Datagram.batch(32, 2048);
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long packets = 0;
            long calls = 0;
            long t0 = System.nanoTime();
            long tStart = 0;
            long alloc0 = 0;
            long packetsAtStart = 0;
            long callsAtStart = 0;
            long cpu0 = 0;
            long user0 = 0;
            while (true) {
                long now = System.nanoTime();
                if (tStart == 0 && now - t0 > WARMUP_NANOS) {
                    tStart = now;
                    packetsAtStart = packets;
                    callsAtStart = calls;
                    alloc0 = mx.getCurrentThreadAllocatedBytes();
                    cpu0 = mx.getCurrentThreadCpuTime();
                    user0 = mx.getCurrentThreadUserTime();
                }
                if (tStart != 0 && now - tStart > MEASURE_NANOS) {
                    break;
                }
                int sent = tx.send(out, 32);
                int got = 0;
                while (got < sent) {
                    got += rx.receive(in);
                    calls++;
                }
                packets += got;
            }
            long t1 = System.nanoTime();
            long alloc = mx.getCurrentThreadAllocatedBytes() - alloc0;
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long user = mx.getCurrentThreadUserTime() - user0;
            double secs = (t1 - tStart) / 1e9;
            long p = packets - packetsAtStart;
            System.out.printf("  (CPU time %.2f us/packet, of which user space %.2f us = %.0f%%)%n",
                    cpu / 1e3 / p, user / 1e3 / p, 100.0 * user / cpu);
            System.out.printf("LinuxUdp   %4d-byte payload, one thread sending 32 then receiving them: %,10.0f pps (%.2f us per packet, send+receive), %.1f datagrams per receive(), %.2f bytes allocated per packet%n",
                    size, p / secs, secs * 1e6 / p, (double) p / (calls - callsAtStart), (double) alloc / p);
        }
    }
}
