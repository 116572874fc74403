package io.jwg.live;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import io.jwg.testing.WireguardGo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Two namespaces joined by a veth ({@value #OUTER_A} / {@value #OUTER_B}) with a WireGuard tunnel between them
 * ({@value #INNER4_A}, {@value #INNER6_A} / {@value #INNER4_B}, {@value #INNER6_B}). Side A is the client (its
 * peer has an Endpoint, so A initiates), side B the server (ListenPort {@value #PORT}). Each side is either
 * {@code jwg} ({@code scripts/jwg up CONF} in the foreground) or {@code wireguard-go} configured like pair.sh.
 *
 * <p>{@link #close()} kills what was started (by PID), removes the namespaces, the wireguard-go UAPI sockets and
 * the temporary directory with the configs and logs. Needs root (see {@link #assumeCapable}).
 */
final class TunnelPair implements AutoCloseable {
    enum Impl {
        JWG, WGGO
    }

    static final int PORT = 51820;
    static final String OUTER_A = "10.231.0.1";
    static final String OUTER_B = "10.231.0.2";
    static final String INNER4_A = "10.232.0.1";
    static final String INNER4_B = "10.232.0.2";
    static final String INNER6_A = "fd00:232::1";
    static final String INNER6_B = "fd00:232::2";
    static final Duration UP_TIMEOUT = Duration.ofSeconds(60);

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** One end of the tunnel. */
    static final class Side {
        final String role;
        final Impl impl;
        final Netns ns;
        final String veth;
        final String ifname;
        final Path conf;
        final Path log;
        final String inner4;
        final String inner6;
        final String publicKey;
        Process process;
        WireguardGo wggo;
        State baseline;

        Side(String role, Impl impl, Netns ns, String veth, String ifname, Path conf, Path log, String inner4, String inner6,
                String publicKey) {
            this.role = role;
            this.impl = impl;
            this.ns = ns;
            this.veth = veth;
            this.ifname = ifname;
            this.conf = conf;
            this.log = log;
            this.inner4 = inner4;
            this.inner6 = inner6;
            this.publicKey = publicKey;
        }

        String logText() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        @Override
        public String toString() {
            return role + " (" + impl.name().toLowerCase() + ", " + ifname + " in " + ns + ")";
        }
    }

    /** What a namespace looks like: its interfaces, its IPv4 main routing table, its routes in every table. */
    record State(Set<String> links, String routes4, String allRoutes4, String allRoutes6) {
        static State of(Netns ns) {
            Set<String> links = new TreeSet<>();
            for (String line : ns.run("ip", "-o", "link", "show").split("\n")) {
                String[] f = line.split(":\\s+", 3);
                if (f.length >= 2) {
                    links.add(f[1].replaceAll("@.*", "").strip());
                }
            }
            return new State(links, ns.run("ip", "-4", "route", "show"), ns.run("ip", "-4", "route", "show", "table", "all"), ns.run("ip", "-6", "route", "show", "table", "all"));
        }
    }

    final Path dir;
    final Netns nsA;
    final Netns nsB;
    final Netns.Veth veth;
    final Side a;
    final Side b;

    private TunnelPair(Path dir, Netns nsA, Netns nsB, Netns.Veth veth, Side a, Side b) {
        this.dir = dir;
        this.nsA = nsA;
        this.nsB = nsB;
        this.veth = veth;
        this.a = a;
        this.b = b;
    }

    /** Skips the calling test unless this machine can run live pairs (root, iproute2, and the tools used). */
    static void assumeCapable(Impl... impls) {
        Netns.assumeRoot();
        if (Arrays.asList(impls).contains(Impl.WGGO)) {
            WireguardGo.assumeInstalled();
        }
    }

    /** A fresh interface name ({@code jl<pid><tag><n>}, at most 15 characters) not used by any UAPI socket. */
    static String uniqueIfname(char tag) {
        while (true) {
            String name = "jl" + ProcessHandle.current().pid() + tag + COUNTER.incrementAndGet();
            if (name.length() > 15) {
                throw new IllegalStateException("interface name too long: " + name);
            }
            if (!Files.exists(WireguardGo.socket(name))) {
                return name;
            }
        }
    }

    /** Starts both ends (the server B first) and waits until both interfaces are up. */
    static TunnelPair start(Impl implA, Impl implB) throws IOException {
        Project.ensureBuilt();
        Path dir = Files.createTempDirectory("jwg-live-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Netns nsA = null;
        Netns nsB = null;
        TunnelPair pair = null;
        try {
            nsA = Netns.create("liveA");
            nsB = Netns.create("liveB");
            Netns.Veth veth = Netns.pair(nsA, nsB, OUTER_A + "/24", OUTER_B + "/24");

            Key keyA = Key.generatePrivate();
            Key keyB = Key.generatePrivate();
            String ifA = uniqueIfname('a');
            String ifB = uniqueIfname('b');
            Path confA = dir.resolve(ifA + ".conf");
            Path confB = dir.resolve(ifB + ".conf");
            writePrivate(confA, """
                    [Interface]
                    PrivateKey = %s
                    Address = %s/24, %s/64

                    [Peer]
                    PublicKey = %s
                    AllowedIPs = %s/32, %s/128
                    Endpoint = %s:%d
                    """.formatted(keyA.toBase64(), INNER4_A, INNER6_A, keyB.publicKey().toBase64(), INNER4_B, INNER6_B, OUTER_B, PORT));
            writePrivate(confB, """
                    [Interface]
                    PrivateKey = %s
                    Address = %s/24, %s/64
                    ListenPort = %d

                    [Peer]
                    PublicKey = %s
                    AllowedIPs = %s/32, %s/128
                    """.formatted(keyB.toBase64(), INNER4_B, INNER6_B, PORT, keyA.publicKey().toBase64(), INNER4_A, INNER6_A));

            Side a = new Side("client A", implA, nsA, veth.ifA(), ifA, confA, logFile(dir, ifA, implA), INNER4_A, INNER6_A,
                    keyA.publicKey().toBase64());
            Side b = new Side("server B", implB, nsB, veth.ifB(), ifB, confB, logFile(dir, ifB, implB), INNER4_B, INNER6_B,
                    keyB.publicKey().toBase64());
            pair = new TunnelPair(dir, nsA, nsB, veth, a, b);
            a.baseline = State.of(nsA);
            b.baseline = State.of(nsB);
            // Launch both (the two JVMs start in parallel), then wait for each.
            pair.launch(b);
            pair.launch(a);
            pair.awaitUp(b);
            pair.awaitUp(a);
            return pair;
        } catch (IOException | RuntimeException | Error e) {
            if (pair != null) {
                pair.close(); // processes, namespaces, sockets, directory
            } else {
                for (Netns ns : new Netns[] {nsB, nsA}) {
                    if (ns != null) {
                        ns.close();
                    }
                }
                deleteTree(dir);
            }
            throw e;
        }
    }

    private static Path logFile(Path dir, String ifname, Impl impl) {
        return dir.resolve(ifname + (impl == Impl.WGGO ? ".wggo.log" : ".log")); // WireguardGo.start's name
    }

    private void launch(Side s) throws IOException {
        if (s.impl == Impl.JWG) {
            s.process = s.ns.start(List.of(Project.jwg(), "up", s.conf.toString()), s.log);
            return;
        }
        // wireguard-go, configured the way pair.sh (and wg-quick) does it
        s.wggo = WireguardGo.start(s.ns, s.ifname, dir);
        s.process = s.wggo.process();
        Path stripped = dir.resolve(s.ifname + ".stripped");
        writePrivate(stripped, Netns.host(Netns.DEFAULT_TIMEOUT, "wg-quick", "strip", s.conf.toString()).check("wg-quick strip " + s.conf).output());
        s.wggo.wg("setconf", s.ifname, stripped.toString());
        s.ns.addAddress(s.ifname, s.inner4 + "/24");
        s.ns.addAddress(s.ifname, s.inner6 + "/64");
        s.ns.run("ip", "link", "set", "mtu", "1420", "up", "dev", s.ifname);
    }

    private void awaitUp(Side s) {
        Netns.waitFor(UP_TIMEOUT, s + " to be up", () -> {
            if (!s.process.isAlive()) {
                throw new AssertionError(s + " exited with " + s.process.exitValue() + " before it was up; log:\n" + s.logText());
            }
            return (s.impl == Impl.WGGO || s.logText().contains("is up")) && linkUp(s.ns, s.ifname);
        });
    }

    /** Whether IFNAME exists in ns and has the UP flag. */
    static boolean linkUp(Netns ns, String ifname) {
        Netns.Result r = ns.exec("ip", "-o", "link", "show", "dev", ifname);
        if (!r.ok()) {
            return false;
        }
        int lt = r.output().indexOf('<');
        int gt = r.output().indexOf('>', lt + 1);
        return lt >= 0 && gt > lt && Arrays.asList(r.output().substring(lt + 1, gt).split(",")).contains("UP");
    }

    // ------------------------------------------------------------------------------------------ traffic

    /**
     * Pings {@code to} from {@code from} once a second until a reply comes (the first one may have to wait for
     * the handshake), at most {@code bound}; fails with both logs otherwise.
     */
    void awaitPing(Side from, String to, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        Netns.Result last;
        do {
            last = from.ns.exec(Duration.ofSeconds(5), "ping", "-n", "-c", "1", "-W", "1", to);
            if (last.ok()) {
                return;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no ping reply from " + to + " to " + from + " within " + bound + ": " + last.output().strip()
                + "\n" + logs());
    }

    /** {@code ping -c COUNT -i 0.2 -w DEADLINE [-p PATTERN] TO} from {@code from}; exit 0 means every reply came. */
    Netns.Result ping(Side from, String to, int count, String patternHex) {
        List<String> cmd = new ArrayList<>(List.of("ping", "-n", "-c", Integer.toString(count), "-i", "0.2",
                "-w", Integer.toString(count + 5)));
        if (patternHex != null) {
            cmd.addAll(List.of("-p", patternHex));
        }
        cmd.add(to);
        return from.ns.exec(Duration.ofSeconds(count + 15L), cmd.toArray(String[]::new));
    }

    /** Both sides' logs, for failure messages. */
    String logs() {
        return "--- " + a + " log:\n" + a.logText().strip() + "\n--- " + b + " log:\n" + b.logText().strip();
    }

    /** Starts tcpdump on B's veth end, writing every frame to a pcap in the pair's directory. */
    Capture capture(String name) throws IOException {
        return Capture.start(nsB, veth.ifB(), dir.resolve(name + ".pcap"), dir.resolve(name + ".tcpdump.log"));
    }

    // ------------------------------------------------------------------------------------------ teardown

    /** Sends SIGTERM to the jwg process of {@code s} and returns its exit code (-1 if it is still alive after bound). */
    static int terminate(Side s, Duration bound) throws InterruptedException {
        if (s.impl != Impl.JWG) {
            throw new IllegalArgumentException(s + " is not jwg");
        }
        s.process.destroy(); // SIGTERM; the PID is the JVM's (ip netns exec and the launcher exec it)
        return s.process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS) ? s.process.exitValue() : -1;
    }

    @Override
    public void close() {
        for (Side s : List.of(a, b)) {
            if (s.wggo != null) {
                s.wggo.close();
            }
        }
        nsA.close();
        nsB.close();
        for (Side s : List.of(a, b)) {
            removeUapiLeftovers(s.ifname);
        }
        if (Boolean.getBoolean("jwg.live.keep")) {
            System.out.println("jwg.live.keep: left " + dir);
        } else {
            deleteTree(dir);
        }
    }

    // ------------------------------------------------------------------------------------------ files

    /**
     * What a UAPI server (wireguard-go, or jwg, which serves one too) leaves in /var/run/wireguard for IFNAME if
     * it does not clean up: {@code IFNAME.sock}, and jwg's temporary {@code .jwg-IFNAME-*} directories. Empty if
     * the directory cannot be read (not root).
     */
    static List<Path> uapiLeftovers(String ifname) {
        Path dir = WireguardGo.socket(ifname).getParent();
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(ifname + ".sock") || n.startsWith(".jwg-" + ifname + "-");
            }).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Deletes {@link #uapiLeftovers} of IFNAME (only names this test run made up). Best effort. */
    static void removeUapiLeftovers(String ifname) {
        for (Path p : uapiLeftovers(ifname)) {
            try {
                if (Files.isDirectory(p)) {
                    deleteTree(p);
                } else {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | UncheckedIOException ignored) {
                // best effort
            }
        }
    }

    /** Writes text to a new file with mode 0600 (as a config with keys should be). */
    static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
