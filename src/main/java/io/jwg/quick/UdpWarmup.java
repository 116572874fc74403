package io.jwg.quick;

import io.jwg.net.Datagram;
import io.jwg.net.Endpoint;
import io.jwg.net.LinuxUdp;
import java.io.IOException;
import java.net.InetAddress;

/**
 * Sends a few handshake-sized and data-sized datagrams between two UDP sockets on the loopback,
 * through the same code the device uses (LinuxUdp: sendmmsg, recvmmsg, addresses, GSO). Cold, the
 * first send and the first receive of a device take ~10 ms each, which the first packet through a
 * new tunnel would otherwise wait for. Does nothing useful, and fails quietly, when the loopback is down.
 */
final class UdpWarmup {
    private static final int[] SIZES = {148, 92, 148, 32, 1452, 1452, 1452, 96};

    private UdpWarmup() {}

    /** Returns the datagrams received, of {@code rounds * 8} sent. */
    static int run(int rounds) throws IOException {
        try (LinuxUdp a = LinuxUdp.open(0); LinuxUdp b = LinuxUdp.open(0)) {
            Endpoint toB = Endpoint.of(InetAddress.getLoopbackAddress(), b.port());
            Datagram[] out = Datagram.batch(SIZES.length, 1500);
            Datagram[] in = Datagram.batch(SIZES.length, 2048);
            int got = 0;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < SIZES.length; i++) {
                    out[i].offset = 0;
                    out[i].length = SIZES[i];
                    out[i].endpoint = toB;
                }
                int sent = a.send(out, SIZES.length);
                if (sent < SIZES.length) return got; // e.g. the loopback is down: receive would wait forever
                for (int want = sent; want > 0; ) {
                    int n = b.receive(in);
                    if (n <= 0) return got;
                    want -= n;
                    got += n;
                }
            }
            return got;
        }
    }
}
