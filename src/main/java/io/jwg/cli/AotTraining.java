package io.jwg.cli;

import io.jwg.api.Tunnel;
import io.jwg.api.TunnelConfig;
import io.jwg.api.UserspaceTunnel;
import io.jwg.crypto.Key;
import io.jwg.os.IpCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The training run for jwg's AOT cache (JEP 483/515; scripts/lib.sh builds target/jwg.aot with it):
 * does, without root and in a few seconds, what {@code jwg up} does first, so that the cache holds
 * those classes loaded and linked and their methods' profiles. The arguments of `up` parsed, logging, a
 * config parsed from text, the FFM bindings and UDP sockets, a handshake and a few thousand
 * packets between two userspace tunnels on the loopback, a UAPI request, and an external command started.
 * Prints one line; exits non-zero if the tunnels did not work (then no cache is written).
 */
public final class AotTraining {
    private static final int PACKETS = 4096;
    private static final int BURST = 32;
    private static final byte[] A = {10, 99, 0, 1};
    private static final byte[] B = {10, 99, 0, 2};

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            // `up` as Main parses it, without picocli: a picocli run here (its model built by reflection)
            // put 3.8 MB of JDK classes into the cache, which the JVM loads at every start, for every
            // command (3 MB more resident in `jwg up`), and made the other commands no faster
            Logging.configure(false);
            UpCommand.Simple.parse(new String[] {"-v", "up", "--keylog", "keys.log", "aot.conf"});
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        org.slf4j.LoggerFactory.getLogger(AotTraining.class).debug("training");
        try {
            IpCommand.host().run("-V"); // ProcessBuilder and the output drain, as every `ip` call
        } catch (IOException e) {
            // no iproute2 on this machine: the rest still trains
        }
        int received = tunnels();
        out.println("jwg AOT training: " + received + "/" + PACKETS + " packets through a userspace tunnel pair in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        System.exit(received > 0 ? 0 : 1);
    }

    /** Two userspace tunnels on 127.0.0.1: A sends PACKETS to B, B answers each; returns the answers A got. */
    private static int tunnels() throws Exception {
        Key a = Key.generatePrivate();
        Key b = Key.generatePrivate();
        TunnelConfig bc = TunnelConfig.parse("aotb", "[Interface]\nPrivateKey = " + b.toBase64() + "\nAddress = 10.99.0.2/24\n\n"
                + "[Peer]\nPublicKey = " + a.publicKey().toBase64() + "\nAllowedIPs = 10.99.0.1/32\n");
        try (UserspaceTunnel tb = Tunnel.userspace(bc)) {
            TunnelConfig ac = TunnelConfig.parse("aota", "[Interface]\nPrivateKey = " + a.toBase64() + "\nAddress = 10.99.0.1/24\nMTU = 1420\n\n"
                    + "[Peer]\nPublicKey = " + b.publicKey().toBase64() + "\nAllowedIPs = 10.99.0.0/24, fd99::/64\n"
                    + "Endpoint = 127.0.0.1:" + tb.listenPort() + "\nPersistentKeepalive = 25\n");
            try (UserspaceTunnel ta = Tunnel.userspace(ac)) {
                int got = 0;
                for (int i = 0; i < PACKETS; i += BURST) {
                    for (int j = 0; j < BURST; j++) ta.send(udpPacket(A, B, (j & 1) == 0 ? 1400 : 84));
                    for (int j = 0; j < BURST; j++) {
                        ByteBuffer p = tb.receive(Duration.ofSeconds(i == 0 ? 5 : 1));
                        if (p == null) return got;
                        tb.send(udpPacket(B, A, p.remaining()));
                    }
                    for (int j = 0; j < BURST; j++) {
                        if (ta.receive(Duration.ofSeconds(1)) == null) return got;
                        got++;
                    }
                }
                ta.peers();
                uapi(tb);
                return got;
            }
        }
    }

    /** The UAPI server (started by `jwg up` too) in a temporary directory, and one `get` through it. */
    private static void uapi(UserspaceTunnel t) throws IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jwg-aot");
        try {
            t.serveUapi(dir);
            io.jwg.uapi.UapiClient.in(dir).get(t.name());
        } catch (io.jwg.uapi.UapiException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) java.nio.file.Files.deleteIfExists(f);
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    /** An IPv4/UDP packet of {@code size} bytes (checksums left zero: the tunnel does not check them). */
    private static ByteBuffer udpPacket(byte[] src, byte[] dst, int size) {
        ByteBuffer p = ByteBuffer.allocate(size);
        p.put(0, (byte) 0x45).putShort(2, (short) size).put(8, (byte) 64).put(9, (byte) 17);
        p.put(12, src).put(16, dst);
        p.putShort(20, (short) 40000).putShort(22, (short) 9).putShort(24, (short) (size - 20));
        return p;
    }
}
