package io.jwg.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Key;
import io.jwg.noise.Constants;
import io.jwg.noise.IndexTable;
import io.jwg.noise.LocalIdentity;
import io.jwg.noise.Messages;
import io.jwg.noise.Tunnel;
import io.jwg.testing.Netns;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * jwg against a hostile network, live: a jwg server and client in namespaces and an attacker with
 * its own link to the server (see {@link LiveTunnel}). One tunnel for all tests (in this order):
 * no secrets in the -v log or the UAPI socket's mode; replayed transport datagrams; random
 * datagrams of every size and type; forged headers from an unknown address; a handshake flood
 * while iperf3 runs through the tunnel. Needs root, iperf3 and tcpdump; skips otherwise.
 */
@Timeout(150)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileNetworkLiveTest {
    LiveTunnel t;
    Path dir;
    /** Client-to-server transport datagrams captured in test 2 (used again in test 4). */
    List<byte[]> captured = new ArrayList<>();

    @BeforeAll
    void up() throws Exception {
        Netns.assumeRoot();
        for (String tool : List.of("/usr/bin/iperf3", "/usr/bin/tcpdump", "/usr/bin/wg")) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(tool)), "live test skipped: " + tool + " is not installed (scripts/test installs it)");
        }
        dir = Files.createTempDirectory("jwg-sec-live");
        t = new LiveTunnel(dir);
    }

    @AfterAll
    void down() {
        if (t != null) t.close();
    }

    DatagramChannel attackerSocket() throws Exception {
        return t.atk.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress(LiveTunnel.ATK, 0)));
    }

    static final InetSocketAddress SERVER_FROM_ATTACKER = new InetSocketAddress(LiveTunnel.SRV_ATK, LiveTunnel.PORT);

    @Test
    @Order(1)
    void verboseLogOfAHandshakeAndTheUapiSocketExposeNoSecret() throws Exception {
        String serverLog = Files.readString(t.serverLog), clientLog = Files.readString(t.clientLog);
        assertThat(serverLog).as("-v logs handshakes").contains("handshake response sent");
        assertThat(clientLog).contains("handshake complete");
        for (Key k : List.of(t.serverKey, t.clientKey, t.psk)) {
            byte[] raw = k.bytes();
            for (String form : List.of(k.toBase64(), HexFormat.of().formatHex(raw), HexFormat.of().withUpperCase().formatHex(raw),
                    k.toBase64().substring(0, 16))) {
                assertThat(serverLog).as("server log").doesNotContain(form);
                assertThat(clientLog).as("client log").doesNotContain(form);
            }
        }
        for (String ifname : List.of(t.serverIf, t.clientIf)) {
            Path sock = LiveTunnel.socket(ifname);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rw-------");
            var dirPerms = Files.getPosixFilePermissions(sock.getParent());
            assertThat(dirPerms).as("the socket directory is not writable by others")
                    .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
        }
    }

    @Test
    @Order(2)
    void replayedTransportDatagramsAreDroppedAndMoveNeitherCountersNorTheEndpoint() throws Exception {
        LiveTunnel.Capture cap = new LiveTunnel.Capture(t.cli, t.srvCli.ifB(), "udp dst port " + LiveTunnel.PORT + " and udp[8] = 4",
                dir.resolve("client-tx.pcap"));
        assertThat(t.ping(3)).isTrue();
        captured = cap.stop();
        assertThat(captured).as("captured the client's transport datagrams").hasSizeGreaterThanOrEqualTo(3);
        String endpoint = t.endpoint(t.srv, t.serverIf);
        assertThat(endpoint).startsWith(LiveTunnel.CLI + ":");
        long[] s0 = t.transfer(t.srv, t.serverIf), c0 = t.transfer(t.cli, t.clientIf);
        Map<String, Long> drops0 = LiveTunnel.drops(t.serverIf);

        LiveTunnel.Capture replies = new LiveTunnel.Capture(t.atk, t.srvAtk.ifB(), "udp and src host " + LiveTunnel.SRV_ATK, dir.resolve("atk-rx-replay.pcap"));
        try (DatagramChannel ch = attackerSocket()) {
            for (int round = 0; round < 3; round++) {
                for (byte[] d : captured) ch.send(ByteBuffer.wrap(d), SERVER_FROM_ATTACKER);
            }
            // and from the client's own namespace, to the address the client uses
            t.cli.runInside(() -> {
                try (DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(LiveTunnel.CLI, 0))) {
                    for (byte[] d : captured) c.send(ByteBuffer.wrap(d), new InetSocketAddress(LiveTunnel.SRV_CLI, LiveTunnel.PORT));
                }
            });
        }
        Thread.sleep(500);
        long[] s1 = t.transfer(t.srv, t.serverIf), c1 = t.transfer(t.cli, t.clientIf);
        // the server's rx counts only authenticated datagrams: whatever it gained, the client sent
        assertThat(s1[0] - s0[0]).as("server rx moved by replays").isEqualTo(c1[1] - c0[1]);
        assertThat(t.endpoint(t.srv, t.serverIf)).as("endpoint after replays").isEqualTo(endpoint);
        Map<String, Long> dropped = LiveTunnel.delta(drops0, LiveTunnel.drops(t.serverIf));
        assertThat(dropped.get("replay")).as("replays counted as such by jwg: %s", dropped).isGreaterThanOrEqualTo(4L * captured.size());
        assertThat(replies.stop()).as("replies to the replayer").isEmpty();
        assertThat(t.ping(2)).as("tunnel still works").isTrue();
    }

    @Test
    @Order(3)
    void randomDatagramsOfEverySizeAndTypeGetSilenceAndTheTunnelKeepsWorking() throws Exception {
        String endpoint = t.endpoint(t.srv, t.serverIf);
        Map<String, Long> drops0 = LiveTunnel.drops(t.serverIf);
        LiveTunnel.Capture replies = new LiveTunnel.Capture(t.atk, t.srvAtk.ifB(), "udp and src host " + LiveTunnel.SRV_ATK, dir.resolve("atk-rx-random.pcap"));
        Random r = new Random(11);
        int sent = 0;
        try (DatagramChannel ch = attackerSocket()) {
            List<Integer> sizes = new ArrayList<>();
            for (int s = 0; s <= 1600; s++) sizes.add(s);
            sizes.addAll(List.of(2000, 4096, 9000, 16384, 65507));
            for (int size : sizes) {
                for (int variant = 0; variant < 3; variant++) {
                    byte[] d = new byte[size];
                    r.nextBytes(d);
                    if (size >= 4 && variant > 0) { // a known type with zero reserved bytes: past Messages.typeOf
                        d[0] = (byte) (variant == 1 ? 1 + (size % 4) : (size % 256));
                        d[1] = d[2] = d[3] = 0;
                    } else if (size >= 1) {
                        d[0] = (byte) (size % 256); // every type byte
                    }
                    ch.send(ByteBuffer.wrap(d), SERVER_FROM_ATTACKER);
                    if (++sent % 200 == 0) Thread.sleep(2); // no flood here: that is test 5
                }
            }
            // exact sizes of each message type, with the type set
            for (int type = 0; type < 256; type++) {
                for (int size : new int[] {Constants.INITIATION_SIZE, Constants.RESPONSE_SIZE, Constants.COOKIE_REPLY_SIZE, 32, 48, 1452}) {
                    byte[] d = new byte[size];
                    r.nextBytes(d);
                    d[0] = (byte) type;
                    d[1] = d[2] = d[3] = 0;
                    ch.send(ByteBuffer.wrap(d), SERVER_FROM_ATTACKER);
                    sent++;
                }
                Thread.sleep(1);
            }
        }
        Thread.sleep(500);
        assertThat(replies.stop()).as("replies to %d random datagrams", sent).isEmpty();
        Map<String, Long> dropped = LiveTunnel.delta(drops0, LiveTunnel.drops(t.serverIf));
        long total = dropped.values().stream().mapToLong(Long::longValue).sum();
        System.out.println("RANDOM: " + sent + " datagrams sent, jwg's drop counters moved by " + dropped);
        assertThat(total).as("random datagrams counted as dropped by jwg: %s", dropped).isGreaterThanOrEqualTo(sent * 9L / 10);
        assertThat(t.endpoint(t.srv, t.serverIf)).isEqualTo(endpoint);
        assertThat(t.ping(2)).as("tunnel still works").isTrue();
        assertThat(t.server.isAlive()).isTrue();
        assertThat(Files.readString(t.serverLog)).doesNotContain("Exception").doesNotContain("stopped:").doesNotContain("failed:");
    }

    @Test
    @Order(4)
    void validLookingTransportFromAnUnknownAddressChangesNoEndpointAndDoesNotMoveTheWindow() throws Exception {
        Assumptions.assumeFalse(captured.isEmpty(), "needs the capture of test 2");
        assertThat(t.ping(1)).isTrue();
        String endpoint = t.endpoint(t.srv, t.serverIf);
        long[] s0 = t.transfer(t.srv, t.serverIf), c0 = t.transfer(t.cli, t.clientIf);
        Map<String, Long> drops0 = LiveTunnel.drops(t.serverIf);
        byte[] last = captured.getLast();
        long counter = Messages.getLong(last, Messages.DATA_COUNTER);
        Random r = new Random(5);
        try (DatagramChannel ch = attackerSocket()) {
            for (int i = 0; i < 200; i++) {
                byte[] d = last.clone(); // the server's receiver index of the live session
                // counters ahead of the window (a forged one must not advance it) and garbage ciphertext
                Messages.putLong(d, Messages.DATA_COUNTER, i < 100 ? counter + 1 + i * 1000L : -1L - i);
                if (i % 2 == 0) { // garbage ciphertext; otherwise the genuine one under a new counter
                    byte[] junk = new byte[d.length - Messages.DATA_PAYLOAD];
                    r.nextBytes(junk);
                    System.arraycopy(junk, 0, d, Messages.DATA_PAYLOAD, junk.length);
                }
                ch.send(ByteBuffer.wrap(d), SERVER_FROM_ATTACKER);
            }
        }
        Thread.sleep(300);
        assertThat(t.endpoint(t.srv, t.serverIf)).isEqualTo(endpoint);
        long[] s1 = t.transfer(t.srv, t.serverIf), c1 = t.transfer(t.cli, t.clientIf);
        assertThat(s1[0] - s0[0]).isEqualTo(c1[1] - c0[1]);
        Map<String, Long> dropped = LiveTunnel.delta(drops0, LiveTunnel.drops(t.serverIf));
        // authentication (bad tag), replay (counter past the limit), or unknown_peer if the session
        // captured in test 2 has been replaced meanwhile
        assertThat(dropped.get("authentication") + dropped.get("replay") + dropped.get("unknown_peer"))
                .as("forgeries counted by jwg: %s", dropped).isGreaterThanOrEqualTo(200);
        assertThat(t.ping(3)).as("the client's next counters are still accepted").isTrue();
    }

    /**
     * A handshake flood of 12,000 initiations/s for ~20 s from the attacker: half with a correct MAC1
     * and random ephemeral/static (each costs the server a DH unless it is under load), half fully
     * valid initiations from keys the server does not know (sender index changed, MAC1 recomputed);
     * MAC2 is zeros, as a sender without a cookie sends it.
     * Meanwhile iperf3 runs through the tunnel, and then the legitimate client handshakes anew.
     * Asserts: the flood ran at 10,000/s or more; throughput at least 80% of the unloaded runs just
     * before (best of two each; the attacker on its own core, see below); the server's RSS grows by
     * less than 128 MiB and has stopped growing; cookie replies (64-byte type-3 datagrams) seen on the
     * attacker's link; no handshake response and no session for the flood; the client's new
     * handshake gets through (cookie, then MAC2) within 15 s. Prints the CPU use of every server
     * thread and of the machine, which is what to look at when the throughput criterion fails.
     */
    @Test
    @Order(5)
    void handshakeFloodLeavesTheLegitimateTunnelItsThroughputAndTheServerBoundedMemory() throws Exception {
        Process iperfServer = t.srv.start(List.of("iperf3", "-s", "-B", LiveTunnel.SRV_TUN), dir.resolve("iperf-server.log"));
        Netns.waitFor(Duration.ofSeconds(10), "iperf3 server", () -> t.srv.exec("ss", "-ltn").output().contains(":5201"));
        assertThat(t.ping(1)).isTrue();
        // The attacker would be another machine: the flood generator gets core 1 to itself, and the
        // tunnel (both jwg processes, both iperf3 ends) shares core 0 with whatever the flood costs
        // the server. Without this, on a 2-core machine, the generator's own sending (and the
        // kernel work it triggers) competes with the tunnel and the test measures the generator.
        boolean pinned = Runtime.getRuntime().availableProcessors() >= 2;
        if (pinned) {
            for (long pid : new long[] {t.server.pid(), t.client.pid(), iperfServer.pid()}) pin(pid, TUNNEL_CPU, true);
            // A veth delivers synchronously: the sender's CPU runs the receiver's whole receive path. So
            // every cookie reply jwg sends would be received (IP, UDP, the capture's packet socket and
            // its wake-up) by jwg's core, work a real attacker does on its own machine: RPS on the
            // attacker's end hands it to the attacker's core (the flood's receive at the server stays
            // where the generator runs, as before).
            t.atk.exec("sh", "-c", "echo " + (1 << Integer.parseInt(ATTACKER_CPU)) + " > /sys/class/net/" + t.srvAtk.ifB() + "/queues/rx-0/rps_cpus")
                    .check("RPS on the attacker's veth");
        }
        tunnelCpu = pinned ? TUNNEL_CPU : null;
        warmUp();
        long handshakeBefore = t.latestHandshake(t.srv, t.serverIf);
        int responsesBefore = count(Files.readString(t.serverLog), "handshake response sent");
        long rssBefore = LiveTunnel.rssKib(t.server);
        LiveTunnel.Capture cookies = new LiveTunnel.Capture(t.atk, t.srvAtk.ifB(),
                "udp and src host " + LiveTunnel.SRV_ATK + " and udp[8] = 3", dir.resolve("atk-rx-cookies.pcap"));
        // the capture of what the attacker receives is the attacker's side too: it shares the generator's core
        if (pinned) pin(cookies.process.pid(), ATTACKER_CPU, true);
        List<Long> rss = new java.util.concurrent.CopyOnWriteArrayList<>();

        // Unloaded, then loaded (best of two runs each). On a shared 2-core machine a neighbour's
        // burst can spoil one comparison: one more is allowed, and both are reported.
        double unloaded = 0, loaded = 0, readerSwitchesUnloaded = 0, readerSwitchesLoaded = 0;
        String profile = "", machine = "";
        Flood flood = null;
        long floodStart = 0;
        List<String> attempts = new ArrayList<>();
        long earlierFloods = 0;
        for (int attempt = 1; attempt <= 2; attempt++) {
            if (flood != null) {
                flood.stopAndJoin();
                earlierFloods += flood.sent.get();
            }
            Thread.sleep(1500); // the server leaves "under load" 1 s after the queue drains
            CpuWindow quiet = new CpuWindow(t.server.pid());
            unloaded = Math.max(iperf(5), iperf(5)); // a baseline that came out low would make 80% lax
            System.out.println("FLOOD: unloaded runs: " + quiet.end());
            readerSwitchesUnloaded = quiet.switchesPerSecond(UDP_READER);
            flood = new Flood(attackerSocket(), t.serverKey.publicKey());
            floodStart = System.nanoTime();
            flood.start(12_000, Duration.ofSeconds(30));
            if (pinned) {
                Thread.sleep(50);
                Long tid = floodTid();
                if (tid != null) pin(tid, ATTACKER_CPU, false);
            }
            Thread.sleep(2500);
            Map<String, Long> ticks0 = LiveTunnel.threadTicks(t.server);
            long[] sys0 = LiveTunnel.systemTicks();
            long client0 = sum(LiveTunnel.threadTicks(t.client)), self0 = sum(LiveTunnel.threadTicks(ProcessHandle.current().pid()));
            long flood0 = LiveTunnel.threadTicks(ProcessHandle.current().pid()).getOrDefault("flood", 0L);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    rss.add(LiveTunnel.rssKib(t.server));
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long w0 = System.nanoTime();
            CpuWindow busyWindow = new CpuWindow(t.server.pid());
            loaded = Math.max(iperf(6), iperf(6));
            System.out.println("FLOOD: loaded runs: " + busyWindow.end());
            readerSwitchesLoaded = busyWindow.switchesPerSecond(UDP_READER);
            double wall = (System.nanoTime() - w0) / 1e9;
            sampler.interrupt();
            sampler.join(2000);
            Map<String, Long> ticks1 = LiveTunnel.threadTicks(t.server);
            long[] sys1 = LiveTunnel.systemTicks();
            long client1 = sum(LiveTunnel.threadTicks(t.client)), self1 = sum(LiveTunnel.threadTicks(ProcessHandle.current().pid()));
            long flood1 = LiveTunnel.threadTicks(ProcessHandle.current().pid()).getOrDefault("flood", 0L);
            long server = sum(ticks1) - sum(ticks0), client = client1 - client0, gen = flood1 - flood0, self = self1 - self0 - gen;
            long busy = sys1[0] - sys0[0], total = sys1[1] - sys0[1];
            machine = String.format("FLOOD: machine CPU during the loaded run (%d cores = %d%%): busy %.0f%%: jwg server %.0f%%, jwg client %.0f%%,"
                            + " flood generator %.0f%%, test JVM other %.0f%%, iperf3 + kernel (softirq) + rest %.0f%%",
                    Runtime.getRuntime().availableProcessors(), 100 * Runtime.getRuntime().availableProcessors(),
                    pct(busy, total), pct(server, total), pct(client, total), pct(gen, total), pct(self, total),
                    pct(busy - server - client - gen - self, total));
            System.out.println(machine);
            profile = report(ticks0, ticks1, wall);
            attempts.add(String.format("attempt %d: %.0f -> %.0f Mbit/s (%.0f%%)", attempt, unloaded / 1e6, loaded / 1e6, 100 * loaded / unloaded));
            System.out.println("FLOOD: " + attempts.getLast());
            if (loaded / unloaded >= REQUIRED_RATIO) break;
        }
        double rehandshakeSeconds;
        boolean floodSessions;
        int responsesDuringIperf;
        try {
            // no handshake came from the flood so far
            floodSessions = t.latestHandshake(t.srv, t.serverIf) != handshakeBefore;
            responsesDuringIperf = count(Files.readString(t.serverLog), "handshake response sent") - responsesBefore;
            // the legitimate client starts over (peer removed and added again: a new handshake) while
            // the flood goes on: it gets a cookie reply, retries with MAC2 and gets through
            assertThat(flood.thread.isAlive()).as("flood still running").isTrue();
            rehandshakeSeconds = rehandshakeUnderFlood();
        } finally {
            flood.stopAndJoin();
        }
        double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
        List<byte[]> replies = cookies.stop();
        iperfServer.destroy();
        long rssAfter = LiveTunnel.rssKib(t.server);
        long rssMax = rss.stream().mapToLong(Long::longValue).max().orElse(rssAfter);
        double ratio = loaded / unloaded;
        System.out.printf("FLOOD: %d initiations in %.1f s (%.0f/s), %d cookie replies seen in all; iperf3 unloaded %.0f Mbit/s, under flood %.0f Mbit/s"
                        + " (%.0f%%); server RSS %d MiB before, max %d MiB during, %d MiB after%n",
                flood.sent.get(), floodSeconds, flood.sent.get() / floodSeconds, replies.size(), unloaded / 1e6, loaded / 1e6,
                100 * ratio, rssBefore / 1024, rssMax / 1024, rssAfter / 1024);

        assertThat(flood.sent.get() / floodSeconds).as("flood rate (initiations/s)").isGreaterThanOrEqualTo(10_000);
        assertThat(replies).as("cookie replies on the attacker's link").isNotEmpty();
        // no amplification: a spoofed flood reflects fewer bytes than it sends
        long allSent = earlierFloods + flood.sent.get();
        assertThat((long) replies.size()).isLessThanOrEqualTo(allSent);
        assertThat((long) replies.size() * Constants.COOKIE_REPLY_SIZE).isLessThan(allSent * Constants.INITIATION_SIZE / 2);
        List<String> notCookieReplies = replies.stream()
                .filter(p -> p.length != Constants.COOKIE_REPLY_SIZE || Messages.typeOf(p, 0, p.length) != Constants.TYPE_COOKIE_REPLY)
                .limit(5).map(p -> p.length + " bytes, type " + (p.length > 0 ? p[0] : -1)).toList();
        assertThat(notCookieReplies).as("replies that are not 64-byte cookie replies (the first 5)").isEmpty();
        assertThat(t.wg(t.srv, "show", t.serverIf, "peers").strip()).isEqualTo(t.clientKey.publicKey().toBase64());
        assertThat(floodSessions).as("a handshake completed during the flood before the client's own").isFalse();
        assertThat(responsesDuringIperf).as("handshake responses sent to the flood; the logs' handshake lines: server %s, client %s",
                handshakeLines(t.serverLog), handshakeLines(t.clientLog)).isZero();
        assertThat(rehandshakeSeconds).as("seconds for the legitimate client's new handshake under flood").isLessThan(15);
        assertThat(t.latestHandshake(t.srv, t.serverIf)).as("the client's new handshake").isGreaterThan(handshakeBefore);
        assertThat(count(Files.readString(t.serverLog), "handshake response sent") - responsesBefore)
                .as("handshake responses during the flood: only the client's").isBetween(1, 2);
        // the reader pauses after a receive that brought only the flood (Device.FLOOD_PAUSE): the flood
        // must not wake it more often than the tunnel's own traffic does (without the pause: about 2x)
        assertThat(readerSwitchesLoaded).as("the UDP reader's context switches/s under the flood, against %.0f/s unloaded", readerSwitchesUnloaded)
                .isLessThanOrEqualTo(readerSwitchesUnloaded);
        assertThat(rssMax - rssBefore).as("server RSS growth under flood (KiB)").isLessThan(128 * 1024);
        int half = rss.size() / 2;
        long firstHalf = rss.subList(0, Math.max(1, half)).stream().mapToLong(Long::longValue).max().orElse(0);
        assertThat(rssMax - firstHalf).as("server RSS still growing late in the flood (KiB): %s", rss).isLessThan(32 * 1024);
        if (ratio < TARGET_RATIO) {
            System.out.printf("FLOOD: BELOW THE %.0f%% TARGET: %.0f%% (%s); %s; %s%n", 100 * TARGET_RATIO, 100 * ratio, attempts, profile, machine);
        }
        assertThat(ratio).as("throughput under flood / unloaded, %s; %s; %s", attempts, profile, machine).isGreaterThanOrEqualTo(REQUIRED_RATIO);
        assertThat(t.ping(2)).isTrue();
    }

    /**
     * Runs iperf3 until the JIT of both jwg processes has settled (their compiler threads used under
     * 5% of a core during a run; at most 5 runs): the first seconds run jwg's data path interpreted,
     * then C1, then C2, and a baseline measured while C2 still compiles on the tunnel's core (a third
     * of it was seen) comes out low and makes the comparison lax.
     */
    void warmUp() {
        for (int run = 1; run <= 5; run++) {
            long c0 = compilerTicks(t.server.pid()) + compilerTicks(t.client.pid()), w0 = System.nanoTime();
            iperf(3);
            double share = (compilerTicks(t.server.pid()) + compilerTicks(t.client.pid()) - c0) / 100.0 / ((System.nanoTime() - w0) / 1e9);
            System.out.printf("FLOOD: warm-up run %d: the jwg JIT compilers used %.0f%% of a core%n", run, 100 * share);
            if (share < 0.05) return;
        }
    }

    static long compilerTicks(long pid) {
        return LiveTunnel.threadTicks(pid).entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Removes and re-adds the server on the client; returns the seconds until a ping gets through (99 if never). */
    double rehandshakeUnderFlood() throws Exception {
        String spub = t.serverKey.publicKey().toBase64();
        Path pskFile = dir.resolve("psk");
        LiveTunnel.writeConf(pskFile, t.psk.toBase64() + "\n");
        t.wg(t.cli, "set", t.clientIf, "peer", spub, "remove");
        t.wg(t.cli, "set", t.clientIf, "peer", spub, "preshared-key", pskFile.toString(), "endpoint", LiveTunnel.SRV_CLI + ":" + LiveTunnel.PORT,
                "allowed-ips", LiveTunnel.SRV_TUN + "/32");
        long t0 = System.nanoTime();
        boolean ok = Netns.await(Duration.ofSeconds(15), () -> t.cli.exec("ping", "-c", "1", "-W", "1", LiveTunnel.SRV_TUN).ok());
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("FLOOD: the client's new handshake under flood took %.1f s (%s)%n", s, ok ? "ok" : "FAILED");
        return ok ? s : 99;
    }

    static final String TUNNEL_CPU = "0", ATTACKER_CPU = "1";
    /**
     * The goal: 80% of the unloaded throughput under the flood, enforced (-Djwg.security.floodRatio
     * overrides it, e.g. to see how far below a change falls). Without the cookie defence each
     * flood message would cost an X25519 (about 105 us here, Bouncy Castle): 12,000/s would
     * saturate jwg-control on its own; with it the flood is answered on the UDP reader
     * (HandshakeGate: MAC1, the cookie reply; the replies held and sent 64 at a time).
     * History: 81-109% in 17 runs before the TUN offloads; after them (the unloaded tunnel now
     * saturates its core) a CI run measured 75% and 78%, with a baseline taken while C2 still
     * compiled and the cookie replies' receive (including the capture) running on the tunnel's
     * core. Both fixed: see warmUp, the RPS note in the test, and HandshakeGate's class comment.
     * With that, 5 of 5 runs passed 0.8 on the branch; CI runs after merging measured 73-92%: the
     * UDP reader, woken by each flood datagram on its own (about 5,000 wake-ups/s), took 16-18% of
     * the tunnel's core. Since the reader pauses after a flood-only receive (Device.FLOOD_PAUSE):
     * about 1,000 wake-ups/s, 8-10% of the core, and 90-106% in 6 runs (85% and 89% without the
     * pause, -Djwg.floodPause=0, in the same session).
     */
    static final double TARGET_RATIO = 0.8;
    static final double REQUIRED_RATIO = Double.parseDouble(System.getProperty("jwg.security.floodRatio", String.valueOf(TARGET_RATIO)));
    String tunnelCpu;

    static void pin(long pid, String cpus, boolean allThreads) {
        List<String> cmd = new ArrayList<>(List.of("taskset"));
        if (allThreads) cmd.add("-a");
        cmd.addAll(List.of("-p", "-c", cpus, Long.toString(pid)));
        Netns.host(Duration.ofSeconds(5), cmd.toArray(String[]::new)).check("taskset " + pid);
    }

    /** The native thread id of the flood generator (named "flood"). */
    static Long floodTid() throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).strip().equals("flood")) return Long.parseLong(task.getFileName().toString());
            }
        }
        return null;
    }

    double iperf(int seconds) {
        List<String> cmd = new ArrayList<>();
        if (tunnelCpu != null) cmd.addAll(List.of("taskset", "-c", tunnelCpu));
        cmd.addAll(List.of("iperf3", "-c", LiveTunnel.SRV_TUN, "-t", Integer.toString(seconds), "-J"));
        Netns.Result r = t.cli.exec(Duration.ofSeconds(seconds + 20), cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return LiveTunnel.iperfBps(r.output());
    }

    /** Prints each server thread's CPU use while iperf3 ran under the flood (the profile asked for when it is slow). */
    static String report(Map<String, Long> before, Map<String, Long> after, double wallSeconds) {
        StringBuilder sb = new StringBuilder("FLOOD: server threads' CPU during the loaded iperf3 run:");
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 100.0 / wallSeconds))
                .filter(e -> e.getValue() >= 0.02)
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> sb.append(String.format(" %s %.0f%%", e.getKey(), 100 * e.getValue())));
        System.out.println(sb);
        return sb.toString();
    }

    /**
     * Where the CPU went over a window: each core's user, system, softirq (+irq) and idle share, and
     * the server's busiest threads with their CPU share and context switches per second (a thread
     * woken for every datagram shows as many switches).
     */
    static final class CpuWindow {
        final long pid, t0 = System.nanoTime();
        final long[][] cores0 = LiveTunnel.coreTicks();
        final Map<String, long[]> threads0;
        /** After {@link #end}: each server thread's user %, system % and context switches per second. */
        Map<String, double[]> rates = Map.of();

        CpuWindow(long pid) {
            this.pid = pid;
            threads0 = LiveTunnel.threadTimes(pid);
        }

        String end() {
            double wall = (System.nanoTime() - t0) / 1e9;
            long[][] cores1 = LiveTunnel.coreTicks();
            Map<String, long[]> threads1 = LiveTunnel.threadTimes(pid);
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < cores1.length && c < cores0.length; c++) {
                long total = Math.max(1, cores1[c][4] - cores0[c][4]);
                long[] d = new long[4];
                for (int i = 0; i < 4; i++) d[i] = cores1[c][i] - cores0[c][i];
                sb.append(String.format("core %d: user %.0f%% sys %.0f%% softirq %.0f%% idle %.0f%%; ", c, 100.0 * d[0] / total,
                        100.0 * d[1] / total, 100.0 * d[2] / total, 100.0 * d[3] / total));
            }
            sb.append("server threads (user+sys):");
            rates = new java.util.HashMap<>();
            threads1.forEach((name, b) -> {
                long[] a = threads0.getOrDefault(name, new long[3]);
                rates.put(name, new double[] {(b[0] - a[0]) / wall, (b[1] - a[1]) / wall, (b[2] - a[2]) / wall});
            });
            rates.entrySet().stream()
                    .filter(e -> e.getValue()[0] + e.getValue()[1] >= 2)
                    .sorted((x, y) -> Double.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]))
                    .forEach(e -> sb.append(String.format(" %s %.0f+%.0f%% (%.0f switches/s)", e.getKey(), e.getValue()[0], e.getValue()[1],
                            e.getValue()[2])));
            return sb.toString();
        }

        /** The context switches per second of the named server thread in this window (0 if absent). */
        double switchesPerSecond(String thread) {
            return rates.getOrDefault(thread, new double[3])[2];
        }
    }

    static long sum(Map<String, Long> ticks) {
        return ticks.values().stream().mapToLong(Long::longValue).sum();
    }

    /** ticks as a percentage of all cores' ticks, scaled to "100% = one core". */
    static double pct(long ticks, long totalTicks) {
        return 100.0 * ticks / totalTicks * Runtime.getRuntime().availableProcessors();
    }

    /** The lines of a jwg -v log that mention a handshake or a cookie (what to read when a count is off). */
    static List<String> handshakeLines(Path log) throws java.io.IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains("handshake") || l.contains("cookie")).toList();
    }

    static final String UDP_READER = "jwg-udp-reader";

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    /** The flood generator: one platform thread pacing sends from a socket in the attacker namespace. */
    static final class Flood {
        final DatagramChannel ch;
        final byte[] mac1Key;
        final List<byte[]> valid = new ArrayList<>();
        final AtomicLong sent = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        Thread thread;

        Flood(DatagramChannel ch, Key serverPublic) {
            this.ch = ch;
            this.mac1Key = Blake2s.hash(Constants.LABEL_MAC1, serverPublic.bytes());
            // fully valid initiations from 32 keys the server does not know
            for (int i = 0; i < 32; i++) {
                Tunnel stranger = new Tunnel(new LocalIdentity(Key.generatePrivate()), serverPublic, null, 0, new IndexTable(), io.jwg.noise.Clock.SYSTEM);
                valid.add(stranger.initiateHandshake());
            }
        }

        void start(int perSecond, Duration duration) {
            thread = Thread.ofPlatform().name("flood").start(() -> {
                Random r = new Random(1);
                ByteBuffer buf = ByteBuffer.allocate(Constants.INITIATION_SIZE);
                byte[] m = new byte[Constants.INITIATION_SIZE];
                long t0 = System.nanoTime(), end = t0 + duration.toNanos();
                long n = 0;
                try {
                    while (!stop.get()) {
                        long now = System.nanoTime();
                        if (now - end >= 0) break;
                        long due = (now - t0) * perSecond / 1_000_000_000L;
                        if (n >= due) {
                            Thread.onSpinWait();
                            if (due - n < -50) Thread.sleep(1);
                            continue;
                        }
                        if ((n & 1) == 0) {
                            r.nextBytes(m); // random sender, ephemeral, static, timestamp
                            Messages.putType(m, 0, Constants.TYPE_INITIATION);
                        } else {
                            System.arraycopy(valid.get((int) (n / 2 % valid.size())), 0, m, 0, m.length);
                            Messages.putInt(m, Messages.INIT_SENDER, r.nextInt()); // not covered by the AEAD
                        }
                        Blake2s.mac(mac1Key, m, 0, Messages.INIT_MAC1, m, Messages.INIT_MAC1);
                        java.util.Arrays.fill(m, Messages.INIT_MAC2, m.length, (byte) 0);
                        buf.clear();
                        buf.put(m).flip();
                        ch.send(buf, SERVER_FROM_ATTACKER);
                        n++;
                        sent.incrementAndGet();
                    }
                } catch (Exception e) {
                    if (!stop.get()) throw new RuntimeException(e);
                }
            });
        }

        void stopAndJoin() throws Exception {
            stop.set(true);
            thread.join(5000);
            ch.close();
        }
    }
}
