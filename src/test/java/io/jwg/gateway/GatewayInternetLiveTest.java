package io.jwg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.os.Commands;
import io.jwg.testing.Netns;
import io.jwg.testing.WireguardGo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
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
 * Live: what a user of a jwg gateway sees from the internet's side. A jwg server S with {@code Gateway = auto} and
 * an "internet" host I that only S can reach (as in {@link GatewayLiveTest}) are started once; each test connects a
 * fresh full-tunnel client namespace to S, once with jwg and once with wireguard-go (brought up by the stock
 * {@code wg-quick}, which falls back to wireguard-go when the kernel has no WireGuard module).
 *
 * <pre>
 *   C1 veth0 10.70.1.1 -- 10.70.1.2 veth1 S veth0 10.70.2.1, fd00:70:2::1 -- 10.70.2.2, fd00:70:2::2 veth0 I
 *   C2 veth0 10.70.3.1 -- 10.70.3.2 veth2 S
 *   tunnel: S 10.70.0.1, fd00:70::1 (Gateway = auto)   C1 (jwg) .2, ::2   C2 (wireguard-go) .3, ::3
 * </pre>
 * I runs a TCP service on port {@value #WHOAMI_PORT} that answers every connection with the peer address it sees
 * (python3), and, when dropbear is installed, an SSH server on port {@value #SSH_PORT} (dropbear, its root home
 * bind-mounted over a temporary one in a private mount namespace, so no file of the host is touched).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(150)
class GatewayInternetLiveTest {
    static final int WHOAMI_PORT = 7000;
    static final int SSH_PORT = 2222;
    private static final int PORT = 51820;
    private static final String I4 = "10.70.2.2";
    private static final String I6 = "fd00:70:2::2";
    private static final String S_UPLINK4 = "10.70.2.1";
    private static final String S_UPLINK6 = "fd00:70:2::1";
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration REACH_TIMEOUT = Duration.ofSeconds(20);

    /** argv: port. Answers each TCP connection (IPv4 or IPv6) with the peer address and a newline; logs it. */
    static final String WHOAMI_SERVER = """
            import socket, sys
            s = socket.create_server(("::", int(sys.argv[1])), family=socket.AF_INET6, dualstack_ipv6=True)
            print("listening", flush=True)
            while True:
                c, a = s.accept()
                peer = a[0].removeprefix("::ffff:")
                print("peer", peer, flush=True)
                c.sendall(peer.encode() + b"\\n")
                c.close()
            """;

    /** argv: host, port. Prints what the server sent; on failure "errno N: message" and exit 2. */
    static final String WHOAMI_CLIENT = """
            import socket, sys
            try:
                c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
                print(c.recv(100).decode().strip())
            except OSError as e:
                print("errno %s: %s" % (e.errno, e.strerror))
                sys.exit(2)
            """;

    private final List<Netns> namespaces = new ArrayList<>();
    private Path dir;
    private Netns s;
    private Netns i;
    private Key sKey;
    private Key jwgClientKey;
    private Key wggoClientKey;
    private Process server;
    private Path serverLog;
    private Path whoamiLog;
    private boolean ssh;
    private long t0;

    @BeforeAll
    void startServerAndInternet() throws IOException {
        Netns.assumeRoot();
        Assumptions.assumeTrue(Commands.which("nft").isPresent(), "live test skipped: nftables (nft) is not installed");
        t0 = System.nanoTime();
        dir = Files.createTempDirectory("jwg-gw-internet", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        s = ns("gis");
        i = ns("gii");
        Netns.pair(s, i, S_UPLINK4 + "/24", I4 + "/24"); // s veth0, i veth0; the C links come later (veth1, veth2)
        s.addAddress("veth0", S_UPLINK6 + "/64");
        i.addAddress("veth0", I6 + "/64");
        s.run("ip", "route", "add", "default", "via", I4);
        s.run("ip", "-6", "route", "add", "default", "via", I6);

        // the internet's services
        whoamiLog = dir.resolve("whoami.log");
        Process whoami = i.start(List.of(python(), "-u", "-c", WHOAMI_SERVER, Integer.toString(WHOAMI_PORT)), whoamiLog);
        waitForLog(whoami, whoamiLog, "listening");
        ssh = Commands.which("dropbear").isPresent() && Commands.which("dbclient").isPresent()
                && Commands.which("dropbearkey").isPresent() && Commands.which("unshare").isPresent();
        if (ssh) {
            startSshServer();
        } else {
            System.out.println("[gateway-internet] dropbear (Debian package dropbear-bin) is not installed: no SSH checks");
        }

        sKey = Key.generatePrivate();
        jwgClientKey = Key.generatePrivate();
        wggoClientKey = Key.generatePrivate();
        String sName = "gis" + ProcessHandle.current().pid() % 100000;
        Path sConf = write(sName + ".conf", """
                [Interface]
                PrivateKey = %s
                Address = 10.70.0.1/24, fd00:70::1/64
                ListenPort = %d
                Gateway = auto

                [Peer]
                # C1, jwg
                PublicKey = %s
                AllowedIPs = 10.70.0.2/32, fd00:70::2/128

                [Peer]
                # C2, wireguard-go
                PublicKey = %s
                AllowedIPs = 10.70.0.3/32, fd00:70::3/128
                """.formatted(sKey.toBase64(), PORT, jwgClientKey.publicKey().toBase64(), wggoClientKey.publicKey().toBase64()));
        serverLog = dir.resolve("s.log");
        server = s.start(jwgUp(sConf), serverLog);
        waitForLog(server, serverLog, "interface " + sName + " is up");
        assertThat(read(serverLog)).contains("the uplink is veth0");
        step("server S (Gateway = auto) and internet host I ready");
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (server != null && server.isAlive()) {
                server.destroy();
                if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly();
                System.out.print("---- server log\n" + read(serverLog));
            }
        } finally {
            for (Netns ns : namespaces) ns.close();
            if (dir != null) {
                try (Stream<Path> st = Files.walk(dir)) {
                    for (Path p : st.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * A jwg full-tunnel client: before the tunnel C has no route to I at all; with it, the TCP service on I reports
     * S's uplink address for C's connections over IPv4 and IPv6 (and SSH's {@code SSH_CLIENT} says the same); after
     * SIGTERM (jwg exits 0) C has no route to I again.
     */
    @Test
    @Order(1)
    void jwgClientReachesTheInternetAsTheGateway() throws Exception {
        Netns c = ns("gic");
        Netns.pair(c, s, "10.70.1.1/24", "10.70.1.2/24");
        assertCannotReachI(c, "before the tunnel");
        String name = "gic" + ProcessHandle.current().pid() % 100000;
        Path conf = write(name + ".conf", clientConfig(jwgClientKey, "10.70.0.2", "fd00:70::2", "10.70.1.2"));
        Path log = dir.resolve("c1.log");
        Process jwg = c.start(jwgUp(conf), log);
        waitForLog(jwg, log, "interface " + name + " is up");
        step("jwg client up");

        assertThat(c.run("ip", "route", "get", I4)).contains("dev " + name).contains("table 51820");
        assertReachesIAsS(c, log);
        step("jwg client: I sees " + S_UPLINK4 + " and " + S_UPLINK6 + (ssh ? " (TCP v4 and v6, SSH)" : " (TCP v4 and v6)"));

        jwg.destroy(); // SIGTERM
        assertThat(jwg.waitFor(20, TimeUnit.SECONDS)).as("jwg exits after SIGTERM: %s", read(log)).isTrue();
        assertThat(jwg.exitValue()).as("exit code; log: %s", read(log)).isZero();
        assertCannotReachI(c, "after jwg stopped");
        step("jwg client down: no route to I");
    }

    /**
     * The same with a wireguard-go client brought up and down by {@code wg-quick} against the jwg gateway: it reaches
     * I as S's uplink address over IPv4 and IPv6 (and SSH), and after {@code wg-quick down} C has no route to I and no
     * wireguard-go is left. Where the kernel has no WireGuard module (as on the CI machine) wg-quick must have used
     * wireguard-go.
     */
    @Test
    @Order(2)
    void wireguardGoClientViaWgQuickReachesTheInternetAsTheGateway() throws Exception {
        WireguardGo.assumeInstalled();
        Assumptions.assumeTrue(Commands.which("wg-quick").isPresent(), "live test skipped: wg-quick is not installed");
        Netns c = ns("giq");
        Netns.pair(c, s, "10.70.3.1/24", "10.70.3.2/24");
        assertCannotReachI(c, "before the tunnel");
        String name = "giq" + ProcessHandle.current().pid() % 100000;
        Path conf = write(name + ".conf", clientConfig(wggoClientKey, "10.70.0.3", "fd00:70::3", "10.70.3.2"));
        boolean up = false;
        try {
            Netns.Result r = c.exec(Duration.ofSeconds(30), "wg-quick", "up", conf.toString());
            System.out.print("---- wg-quick up\n" + r.output());
            assertThat(r.exitCode()).as("wg-quick up: %s", r.output()).isZero();
            up = true;
            boolean kernelModule = Files.exists(Path.of("/sys/module/wireguard"));
            if (!kernelModule) {
                assertThat(r.output()).contains("Falling back to slow userspace implementation").contains("[#] wireguard-go " + name);
                assertThat(Netns.host(Duration.ofSeconds(10), "ps", "-o", "comm=", "-p", pids(c)).output()).contains("wireguard-go");
                assertThat(WireguardGo.socket(name)).exists();
            }
            step("wg-quick up (" + (kernelModule ? "kernel module" : "wireguard-go") + ")");
            assertThat(c.run("ip", "route", "get", I4)).contains("dev " + name).contains("table 51820");
            assertReachesIAsS(c, null);
            assertThat(c.run("wg", "show", name, "latest-handshakes")).startsWith(sKey.publicKey().toBase64());
            step("wireguard-go client: I sees " + S_UPLINK4 + " and " + S_UPLINK6 + (ssh ? " (TCP v4 and v6, SSH)" : " (TCP v4 and v6)"));
        } finally {
            if (up) {
                Netns.Result down = c.exec(Duration.ofSeconds(30), "wg-quick", "down", conf.toString());
                System.out.print("---- wg-quick down\n" + down.output());
                assertThat(down.exitCode()).as("wg-quick down: %s", down.output()).isZero();
            }
            Files.deleteIfExists(WireguardGo.socket(name)); // only if wireguard-go did not remove it
        }
        assertCannotReachI(c, "after wg-quick down");
        Netns.waitFor(Duration.ofSeconds(10), "wireguard-go to exit in " + c,
                () -> pids(c).isEmpty());
        step("wireguard-go client down: no route to I, no process left");
    }

    /** Last: every connection that reached I's service came from S's uplink addresses, none from a tunnel address. */
    @Test
    @Order(3)
    void theInternetOnlyEverSawTheGateway() {
        List<String> peers = read(whoamiLog).lines().filter(l -> l.startsWith("peer ")).map(l -> l.substring(5)).toList();
        assertThat(peers).as("peers seen by I's service").isNotEmpty().allMatch(p -> p.equals(S_UPLINK4) || p.equals(S_UPLINK6));
    }

    // ------------------------------------------------------------------------------------------ checks

    /** The whoami service over IPv4 and IPv6 reports S's uplink addresses (polled: the first try waits for the handshake). */
    private void assertReachesIAsS(Netns c, Path clientLog) {
        for (String[] target : new String[][] {{I4, S_UPLINK4}, {I6, S_UPLINK6}}) {
            AtomicReference<String> last = new AtomicReference<>();
            Netns.waitFor(REACH_TIMEOUT, "C reaches I's service at " + target[0] + " through the tunnel (last answer: " + last
                    + (clientLog != null ? "; client log: " + read(clientLog) : "") + "; server log: " + read(serverLog) + ")", () -> {
                last.set(whoami(c, target[0]).output().strip());
                return last.get().equals(target[1]);
            });
        }
        if (ssh) {
            Netns.Result r = c.exec(Duration.ofSeconds(20), "env", "HOME=" + dir.resolve("ssh-client-home"), "dbclient", "-y", "-y",
                    "-i", dir.resolve("ssh-client-key").toString(), "-p", Integer.toString(SSH_PORT), "root@" + I4, "echo $SSH_CLIENT");
            assertThat(r.exitCode()).as("ssh through the tunnel: %s", r.output()).isZero();
            // SSH_CLIENT = "client-address client-port server-port", as the SSH server on I sees the connection
            assertThat(r.output().lines().filter(l -> l.endsWith(" " + SSH_PORT)).toList()).as("SSH_CLIENT on I: %s", r.output())
                    .singleElement().asString().startsWith(S_UPLINK4 + " ");
        }
    }

    /** No route from C to I: {@code ip route get} fails, and so do TCP connections and pings, with "Network is unreachable". */
    private void assertCannotReachI(Netns c, String when) {
        for (String[] family : new String[][] {{"-4", I4}, {"-6", I6}}) {
            Netns.Result route = c.exec("ip", family[0], "route", "get", family[1]);
            assertThat(route.exitCode()).as("ip route get %s in C %s: %s", family[1], when, route.output()).isNotZero();
            assertThat(route.output()).as("ip route get %s in C %s", family[1], when).contains("Network is unreachable");
            Netns.Result tcp = whoami(c, family[1]);
            assertThat(tcp.exitCode()).as("TCP to %s from C %s: %s", family[1], when, tcp.output()).isEqualTo(2);
            assertThat(tcp.output().strip()).as("TCP to %s from C %s", family[1], when).isEqualTo("errno 101: Network is unreachable");
            Netns.Result ping = c.exec(Duration.ofSeconds(5), "ping", family[0], "-n", "-c", "1", "-W", "1", family[1]);
            assertThat(ping.exitCode()).as("ping %s from C %s", family[1], when).isNotZero();
            assertThat(ping.output()).as("ping %s from C %s", family[1], when).contains("Network is unreachable");
        }
    }

    /** The PIDs of the processes in c, comma-separated (asked from outside, so that ip itself is not one of them). */
    private static String pids(Netns c) {
        return Netns.host(Duration.ofSeconds(10), "ip", "netns", "pids", c.name()).output().strip().replace('\n', ',');
    }

    private static Netns.Result whoami(Netns c, String host) {
        return c.exec(Duration.ofSeconds(10), python(), "-c", WHOAMI_CLIENT, host, Integer.toString(WHOAMI_PORT));
    }

    // ------------------------------------------------------------------------------------------ fixtures

    /** A full-tunnel client config (AllowedIPs 0.0.0.0/0, ::/0) for S, reached at endpoint:51820. */
    private String clientConfig(Key key, String address4, String address6, String endpoint) {
        return """
                [Interface]
                PrivateKey = %s
                Address = %s/24, %s/64

                [Peer]
                PublicKey = %s
                AllowedIPs = 0.0.0.0/0, ::/0
                Endpoint = %s:%d
                """.formatted(key.toBase64(), address4, address6, sKey.publicKey().toBase64(), endpoint, PORT);
    }

    /**
     * dropbear on I (port {@value #SSH_PORT}, public key only) with a host key, a client key and an authorized_keys
     * in the test's directory. dropbear reads {@code ~root/.ssh/authorized_keys}; it runs in a private mount namespace
     * where a temporary directory is bind-mounted over /root, so the host's /root is neither read nor written.
     */
    private void startSshServer() throws IOException {
        Path home = Files.createDirectories(dir.resolve("ssh-home/.ssh")).getParent();
        Files.createDirectories(dir.resolve("ssh-client-home"));
        Path hostKey = dir.resolve("ssh-host-key");
        Path clientKey = dir.resolve("ssh-client-key");
        Netns.host(Duration.ofSeconds(20), "dropbearkey", "-t", "ed25519", "-f", hostKey.toString()).check("dropbearkey (host key)");
        String pub = Netns.host(Duration.ofSeconds(20), "dropbearkey", "-t", "ed25519", "-f", clientKey.toString())
                .check("dropbearkey (client key)").output().lines().filter(l -> l.startsWith("ssh-ed25519 ")).findFirst().orElseThrow();
        Path authorized = home.resolve(".ssh/authorized_keys");
        Files.writeString(authorized, pub + "\n");
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-------"));
        Path log = dir.resolve("dropbear.log");
        Process p = i.start(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" /root && exec dropbear -F -E -s -m -p " + SSH_PORT + " -r \"$1\" -P \"$2\"",
                home.toString(), hostKey.toString(), dir.resolve("dropbear.pid").toString()), log);
        waitForLog(p, log, "Not backgrounding");
    }

    /** {@code jwg up CONF} from the classes under test (no jar needed), frugal with CPU: as in GatewayLiveTest. */
    private List<String> jwgUp(Path conf) throws IOException {
        Path runDir = Files.createDirectories(dir.resolve("run"));
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Djwg.warmup.ms=0",
                "-Djwg.rundir=" + runDir, "-cp", System.getProperty("java.class.path"), "io.jwg.cli.Main", "up", conf.toString());
    }

    private Netns ns(String tag) {
        Netns n = Netns.create(tag);
        namespaces.add(n);
        return n;
    }

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private void step(String what) {
        System.out.printf("[gateway-internet] %6d ms  %s%n", (System.nanoTime() - t0) / 1_000_000, what);
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static void waitForLog(Process p, Path log, String text) {
        Netns.waitFor(UP_TIMEOUT, "'" + text + "' in " + log.getFileName() + ": " + read(log), () -> {
            if (!p.isAlive() && !read(log).contains(text)) throw new AssertionError("exited (" + p.exitValue() + "): " + read(log));
            return read(log).contains(text);
        });
    }

    private static String read(Path p) {
        try {
            return p != null && Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
