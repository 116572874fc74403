package io.jwg.live;

import static io.jwg.live.TunnelPair.INNER4_A;
import static io.jwg.live.TunnelPair.INNER4_B;
import static io.jwg.live.TunnelPair.INNER6_A;
import static io.jwg.live.TunnelPair.INNER6_B;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.live.TunnelPair.Impl;
import io.jwg.live.TunnelPair.Side;
import io.jwg.testing.Netns;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The live acceptance checks of a tunnel between two implementations, run on one {@link TunnelPair} per
 * class (started once, ~2-5 s): capture, pings over IPv4 and IPv6, TCP transfers both ways, and finally the
 * SIGTERM teardown of every jwg side. Subclasses pick the implementations; side A always initiates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class TunnelCase {
    /** 16 bytes (the most {@code ping -p} repeats), sent in clear into the tunnel, never to be seen on the veth. */
    static final String MARKER = "JWG_LIVE_MARKER!";
    static final Duration HANDSHAKE_BOUND = Duration.ofSeconds(20);
    static final int TRANSFER_BYTES = 50 << 20;
    static final int TRANSFER_PORT = 5001;
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    /** argv: bind address, port, output file. Prints "listening", then "received N" after the sender closed. */
    static final String RECEIVER = """
            import socket, sys
            s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.listen(1)
            s.settimeout(60)
            print("listening", flush=True)
            c, _ = s.accept()
            c.settimeout(60)
            n = 0
            with open(sys.argv[3], "wb") as f:
                while True:
                    b = c.recv(1 << 20)
                    if not b:
                        break
                    f.write(b)
                    n += len(b)
            c.close()
            print("received", n, flush=True)
            """;

    /** argv: address, port, input file. Sends the file, half-closes, waits for the receiver to close. */
    static final String SENDER = """
            import socket, sys
            c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
            with open(sys.argv[3], "rb") as f:
                n = c.sendfile(f)
            c.shutdown(socket.SHUT_WR)
            c.recv(1)
            c.close()
            print("sent", n, flush=True)
            """;

    private final Impl implA;
    private final Impl implB;
    TunnelPair pair;

    TunnelCase(Impl implA, Impl implB) {
        this.implA = implA;
        this.implB = implB;
    }

    @BeforeAll
    void startPair() throws IOException {
        TunnelPair.assumeCapable(implA, implB);
        long t0 = System.nanoTime();
        pair = TunnelPair.start(implA, implB);
        System.out.printf("%s: pair %s <-> %s up in %d ms%n", getClass().getSimpleName(), pair.a, pair.b, (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    void closePair() {
        if (pair != null) {
            pair.close();
        }
    }

    /**
     * The first traffic (handshake included) and pings carrying {@link #MARKER} both ways over IPv4 and IPv6,
     * captured on B's veth end and, as a control, on B's tunnel interface: on the veth every UDP datagram is
     * WireGuard (initiation, response and transport messages all seen) and the marker never appears; on the
     * tunnel interface the marker does appear (so the search would have found it).
     */
    @Test
    @Order(1)
    void cableCarriesOnlyWireGuardAndNoPlaintext() throws Exception {
        String hex = HexFormat.of().formatHex(MARKER.getBytes(StandardCharsets.US_ASCII));
        int pings = 4;
        try (Capture cable = pair.capture("veth"); Capture inner = Capture.start(pair.b.ns, pair.b.ifname,
                pair.dir.resolve("tunnel.pcap"), pair.dir.resolve("tunnel.tcpdump.log"))) {
            pair.awaitPing(pair.a, INNER4_B, HANDSHAKE_BOUND);
            assertThat(pair.ping(pair.a, INNER4_B, pings, hex).exitCode()).as("A->B IPv4 ping with marker\n%s", pair.logs()).isZero();
            assertThat(pair.ping(pair.a, INNER6_B, pings, hex).exitCode()).as("A->B IPv6 ping with marker\n%s", pair.logs()).isZero();
            assertThat(pair.ping(pair.b, INNER4_A, pings, hex).exitCode()).as("B->A IPv4 ping with marker\n%s", pair.logs()).isZero();
            assertThat(pair.ping(pair.b, INNER6_A, pings, hex).exitCode()).as("B->A IPv6 ping with marker\n%s", pair.logs()).isZero();
            cable.stop();
            inner.stop();

            long udp = cable.count(TunnelPair.PORT, "udp");
            long wg = cable.count(TunnelPair.PORT, "wg");
            Map<String, Long> types = cable.fields(TunnelPair.PORT, "wg", "wg.type").stream()
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            System.out.printf("%s: cable capture: %d UDP datagrams, %d WireGuard, by type %s%n", getClass().getSimpleName(), udp, wg, types);
            assertThat(udp).as("UDP datagrams on the veth").isPositive();
            assertThat(wg).as("UDP datagrams that dissect as WireGuard (of %d)", udp).isEqualTo(udp);
            assertThat(cable.count(TunnelPair.PORT, "udp && !wg")).as("UDP datagrams that are not WireGuard").isZero();
            assertThat(types).as("WireGuard message types (1 initiation, 2 response, 4 transport)")
                    .containsKeys("1", "2", "4");
            // 4 series of pings, each echo request and reply crosses the veth once as a transport message
            assertThat(types.get("4")).as("transport messages").isGreaterThanOrEqualTo(2L * 4 * pings);
            assertThat(cable.occurrences(MARKER.getBytes(StandardCharsets.US_ASCII))).as("plaintext marker in the veth capture").isZero();
            assertThat(inner.occurrences(MARKER.getBytes(StandardCharsets.US_ASCII)))
                    .as("control: the marker in the capture of the tunnel interface itself").isGreaterThanOrEqualTo(4L * pings);
        }
    }

    /** Inner IPv4 both ways: A->B until a reply (bounded), then 3 pings each way with no loss. */
    @Test
    @Order(2)
    void pingsOverInnerIpv4() {
        pair.awaitPing(pair.a, INNER4_B, HANDSHAKE_BOUND);
        assertPings(pair.a, INNER4_B);
        assertPings(pair.b, INNER4_A);
    }

    /** Inner IPv6 both ways: A->B until a reply (bounded), then 3 pings each way with no loss. */
    @Test
    @Order(3)
    void pingsOverInnerIpv6() {
        pair.awaitPing(pair.a, INNER6_B, HANDSHAKE_BOUND);
        assertPings(pair.a, INNER6_B);
        assertPings(pair.b, INNER6_A);
    }

    private void assertPings(Side from, String to) {
        Netns.Result r = pair.ping(from, to, 3, null);
        assertThat(r.exitCode()).as("3 pings %s -> %s, all answered:\n%s\n%s", from, to, r.output().strip(), pair.logs()).isZero();
    }

    /** 50 MiB of random bytes over TCP (inner IPv4) from A to B; SHA-256 (sha256sum) equal on both ends. */
    @Test
    @Order(4)
    void transfers50MiBOverTcpIntact() throws Exception {
        pair.awaitPing(pair.a, INNER4_B, HANDSHAKE_BOUND);
        transfer(pair.a, pair.b, INNER4_B, TRANSFER_BYTES);
    }

    /** The other direction and family: 8 MiB over TCP (inner IPv6, full-size segments) from B to A, intact. */
    @Test
    @Order(5)
    void transfers8MiBBackOverTcpIpv6Intact() throws Exception {
        pair.awaitPing(pair.a, INNER6_B, HANDSHAKE_BOUND);
        transfer(pair.b, pair.a, INNER6_A, 8 << 20);
    }

    /**
     * The stock {@code wg} tool on each side (jwg serves the UAPI socket like wireguard-go) after the traffic above:
     * the one peer is the other side's key, with a recent handshake and bytes counted both ways.
     */
    @Test
    @Order(6)
    void wgShowSeesTheHandshakeAndTrafficOnBothSides() {
        pair.awaitPing(pair.a, INNER4_B, HANDSHAKE_BOUND);
        long now = System.currentTimeMillis() / 1000;
        for (Side s : List.of(pair.a, pair.b)) {
            String[] hs = s.ns.run("wg", "show", s.ifname, "latest-handshakes").strip().split("\\s+");
            String[] tr = s.ns.run("wg", "show", s.ifname, "transfer").strip().split("\\s+");
            String peerKey = s == pair.a ? pair.b.publicKey : pair.a.publicKey;
            assertThat(hs).as("wg show %s latest-handshakes", s).hasSize(2);
            assertThat(hs[0]).as("peer of %s", s).isEqualTo(peerKey);
            assertThat(Long.parseLong(hs[1])).as("latest handshake of %s (epoch s)", s).isBetween(now - 300, now + 5);
            assertThat(tr).as("wg show %s transfer", s).hasSize(3);
            assertThat(Long.parseLong(tr[1])).as("rx bytes of %s", s).isPositive();
            assertThat(Long.parseLong(tr[2])).as("tx bytes of %s", s).isPositive();
        }
    }

    /**
     * UDP bursts (inner IPv4 and IPv6) from A to B: 3000 datagrams of 1300 bytes, each carrying its number and
     * bytes derived from it, in bursts of 32. Some may be lost to a full socket buffer, but at least a third arrive
     * and every one that does is intact. With a jwg receiver on a kernel with USO, datagrams reach B's TUN merged (fewer packets
     * than datagrams): this checks that the merging and the kernel's cutting give back the datagrams sent. Each
     * family is sent twice: one datagram per send, and 32 per UDP_SEGMENT send, which a jwg sender on such a kernel
     * reads from its TUN as one super-packet and cuts up itself.
     */
    @Test
    @Order(7)
    void udpBurstsArriveIntact() throws Exception {
        pair.awaitPing(pair.a, INNER4_B, HANDSHAKE_BOUND);
        for (String run : List.of(INNER4_B + " plain", INNER4_B + " gso", INNER6_B + " plain", INNER6_B + " gso")) {
            String to = run.split(" ")[0];
            String mode = run.split(" ")[1];
            Path recvLog = pair.dir.resolve("udp-receiver.log");
            Files.deleteIfExists(recvLog);
            Process receiver = pair.b.ns.start(List.of(PYTHON, "-c", UDP_RECEIVER, to, "5003", "3000"), recvLog);
            Netns.waitFor(Duration.ofSeconds(15), "UDP receiver bound", () -> {
                if (!receiver.isAlive()) throw new AssertionError("UDP receiver exited: " + read(recvLog));
                return read(recvLog).contains("listening");
            });
            Netns.Result sent = pair.a.ns.exec(Duration.ofSeconds(60), PYTHON, "-c", UDP_SENDER, to, "5003", "3000", mode);
            assertThat(sent.exitCode()).as("UDP sender to %s (%s): %s", to, mode, sent.output().strip()).isZero();
            assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).as("UDP receiver (%s) finished", to).isTrue();
            String result = read(recvLog);
            System.out.printf("%s: UDP bursts (%s) to %s: %s%n", getClass().getSimpleName(), mode, to, result.strip().replace('\n', ' '));
            assertThat(receiver.exitValue()).as("UDP receiver (%s): %s", to, result).isZero();
            String[] counts = result.substring(result.indexOf("received ")).split("\\s+");
            assertThat(Integer.parseInt(counts[1])).as("datagrams received intact of 3000 (%s, %s)", to, mode).isGreaterThanOrEqualTo(1000);
            assertThat(Integer.parseInt(counts[3])).as("corrupt datagrams (%s, %s)", to, mode).isZero();
        }
    }

    private static final String UDP_PAYLOAD = """
            import hashlib
            def payload(i):
                d = hashlib.sha256(i.to_bytes(4, 'big')).digest()
                return i.to_bytes(4, 'big') + (d * 41)[:1296]
            """;

    /** Sends N datagrams in bursts of 32 (with "gso": each burst one UDP_SEGMENT send), then a few "end" markers. */
    private static final String UDP_SENDER = UDP_PAYLOAD + """
            import socket, sys, time
            addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            s.connect((addr, port))
            if sys.argv[4] == 'gso':  # 32 datagrams per send: the kernel hands the tunnel UDP super-packets (USO)
                s.setsockopt(17, 103, 1300)  # SOL_UDP, UDP_SEGMENT
                for i in range(0, n, 32):
                    s.send(b''.join(payload(k) for k in range(i, min(i + 32, n))))
                    time.sleep(0.002)
            else:
                for i in range(n):
                    s.send(payload(i))
                    if i % 32 == 31:
                        time.sleep(0.002)  # bursts of 32: enough to merge, gentle enough for a 200 KB socket buffer
            for _ in range(20):
                time.sleep(0.05)
                try:
                    s.send(b'end')
                except ConnectionRefusedError:
                    break  # the receiver has seen an earlier marker and closed
            """;

    /** Counts intact and corrupt datagrams until the end marker (or 20 s of silence); exit 0 unless nothing came. */
    private static final String UDP_RECEIVER = UDP_PAYLOAD + """
            import socket, sys
            addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
            s.bind((addr, port))
            s.settimeout(20)
            print('listening', flush=True)
            ok = bad = 0
            seen = set()
            while True:
                try:
                    d = s.recv(4096)
                except socket.timeout:
                    break
                if d == b'end':
                    break
                i = int.from_bytes(d[:4], 'big') if len(d) >= 4 else -1
                if 0 <= i < n and i not in seen and d == payload(i):
                    ok += 1
                    seen.add(i)
                else:
                    bad += 1
            print('received', ok, 'corrupt', bad, flush=True)
            sys.exit(0 if ok > 0 else 1)
            """;

    /** Sends {@code bytes} random bytes over TCP from {@code from} to {@code toAddr} (on {@code to}) and compares SHA-256s. */
    private void transfer(Side from, Side to, String toAddr, int bytes) throws Exception {
        Path src = pair.dir.resolve("send.bin");
        Path dst = pair.dir.resolve("recv.bin");
        Path recvLog = pair.dir.resolve("receiver.log");
        String what = String.format("%d MiB %s -> %s (%s)", bytes >> 20, from.role, to.role, toAddr);
        try {
            Files.deleteIfExists(recvLog);
            writeRandom(src, bytes);
            Process receiver = to.ns.start(List.of(PYTHON, "-c", RECEIVER, toAddr, Integer.toString(TRANSFER_PORT), dst.toString()), recvLog);
            Netns.waitFor(Duration.ofSeconds(15), "receiver listening", () -> {
                if (!receiver.isAlive()) {
                    throw new AssertionError("receiver exited: " + read(recvLog));
                }
                return read(recvLog).contains("listening");
            });
            long t0 = System.nanoTime();
            Netns.Result sent = from.ns.exec(Duration.ofSeconds(120), PYTHON, "-c", SENDER, toAddr, Integer.toString(TRANSFER_PORT), src.toString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(sent.exitCode()).as("sender of %s: %s\n%s", what, sent.output().strip(), pair.logs()).isZero();
            assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).as("receiver of %s finished", what).isTrue();
            assertThat(receiver.exitValue()).as("receiver of %s: %s", what, read(recvLog)).isZero();
            System.out.printf("%s: %s in %d ms (%.0f Mbit/s)%n", getClass().getSimpleName(), what, ms, bytes * 8.0 / 1000 / Math.max(1, ms));

            String sent256 = sha256sum(from, src);
            String received256 = sha256sum(to, dst);
            assertThat(Files.size(dst)).as("bytes received, %s", what).isEqualTo(bytes);
            assertThat(received256).as("SHA-256 of the received file vs the sent file, %s", what).isEqualTo(sent256);
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(dst);
        }
    }

    /**
     * SIGTERM to each jwg process while a ping flood from its own namespace to the peer runs through it: it exits 0
     * within 15 s, and afterwards (flood stopped) its namespace has exactly the links it had before jwg started,
     * the same IPv4 main routing table, no route (any table, v4 or v6) via the tunnel interface or to the inner
     * prefixes, no process, no /run/jwg pid file and no UAPI socket. Its log (stdout and stderr) has no warning, error or
     * exception from the whole run.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void sigtermRemovesEverything() throws Exception {
        for (Side s : List.of(pair.a, pair.b)) {
            if (s.impl != Impl.JWG) {
                continue;
            }
            Side peer = s == pair.a ? pair.b : pair.a;
            long tx0 = txPackets(s);
            Process flood = s.ns.start(List.of("ping", "-f", "-q", "-w", "20", peer.inner4), pair.dir.resolve("flood-" + s.ifname + ".log"));
            int rc;
            long t0;
            long flooded;
            try {
                // SIGTERM only once the flood runs through the tunnel (answered while the peer is still there)
                Netns.waitFor(Duration.ofSeconds(10), "a ping flood of 20 packets into " + s, () -> txPackets(s) - tx0 >= 20);
                flooded = txPackets(s) - tx0;
                t0 = System.nanoTime();
                rc = TunnelPair.terminate(s, Duration.ofSeconds(15));
            } finally {
                flood.destroy();
                flood.waitFor(5, TimeUnit.SECONDS);
            }
            System.out.printf("%s: %s exited %d after SIGTERM in %d ms (under a flood, %d packets so far)%n",
                    getClass().getSimpleName(), s, rc, (System.nanoTime() - t0) / 1_000_000, flooded);
            assertThat(rc).as("exit code of %s after SIGTERM (-1: still running after 15 s); log:\n%s", s, s.logText()).isZero();
            assertThat(s.logText()).as("log of %s (a clean run: no warning, error or stack trace)", s)
                    .contains("is up").doesNotContain("[WARN]", "[ERROR]", "Warning", "Exception");

            TunnelPair.State after = TunnelPair.State.of(s.ns);
            assertThat(after.links()).as("links in %s after teardown", s.ns).isEqualTo(s.baseline.links());
            assertThat(after.routes4()).as("IPv4 main table in %s after teardown", s.ns).isEqualTo(s.baseline.routes4());
            for (String routes : List.of(after.allRoutes4(), after.allRoutes6())) {
                assertThat(routes).as("routes (all tables) in %s after teardown", s.ns)
                        .doesNotContain(s.ifname).doesNotContain("10.232.").doesNotContain("fd00:232:");
            }
            Netns.Result pids = Netns.host(Duration.ofSeconds(10), "ip", "netns", "pids", s.ns.name());
            assertThat(pids.output().strip()).as("processes left in %s", s.ns).isEmpty();
            assertThat(Path.of("/run/jwg", s.ifname + ".pid")).as("pid file").doesNotExist();
            assertThat(TunnelPair.uapiLeftovers(s.ifname)).as("UAPI socket (and temporary files) in /var/run/wireguard").isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    static void writeRandom(Path file, int size) throws IOException {
        SplittableRandom random = new SplittableRandom();
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
        }
    }

    /** Packets the kernel handed to the tunnel interface's reader (its tx_packets counter). */
    static long txPackets(Side s) {
        return Long.parseLong(s.ns.run("cat", "/sys/class/net/" + s.ifname + "/statistics/tx_packets").strip());
    }

    static String sha256sum(Side side, Path file) {
        String out = side.ns.run("sha256sum", file.toString()).strip();
        assertThat(out).matches("[0-9a-f]{64}\\s+.*");
        return out.substring(0, 64);
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ")";
        }
    }
}
