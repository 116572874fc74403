package io.jwg.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import java.io.File;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Live: {@code scripts/capture-check} against a jwg pair, the client started with {@code --keylog}.
 *
 * <pre>
 *   A veth0 10.61.0.1 ------------------ 10.61.0.2 veth0 B
 *   A tunnel 10.62.0.1, fd00:62::1 (client, --keylog)   B tunnel 10.62.0.2, fd00:62::2 (ListenPort 51820)
 * </pre>
 * The pair is started once (no traffic before the first check, so that its capture holds the handshake the key
 * log needs); the tests run in order. jwg runs from the test classpath, as in GatewayLiveTest. Needs root, tcpdump
 * and tshark; skipped otherwise (the argument checks run everywhere).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class CaptureCheckLiveTest {
    private static final int PORT = 51820;
    private static final String OUTER_B = "10.61.0.2";
    private static final String INNER4_B = "10.62.0.2";
    private static final String INNER6_A = "fd00:62::1";
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);

    private Path dir;
    private Netns a;
    private Netns b;
    private String ifA;
    private String ifB;
    private Path keylog;
    private Process jwgA;
    private Process jwgB;
    private boolean live;

    @BeforeAll
    void startPair() throws IOException {
        dir = Files.createTempDirectory("jwg-capture-live", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (!Netns.isRoot() || !onPath("tcpdump") || !onPath("tshark") || !onPath("ping")) {
            return; // the live tests skip themselves; the argument checks still run
        }
        long t0 = System.nanoTime();
        a = Netns.create("capa");
        b = Netns.create("capb");
        Netns.pair(a, b, "10.61.0.1/24", OUTER_B + "/24"); // veth0 in each
        long id = ProcessHandle.current().pid() % 100000;
        ifA = "cca" + id;
        ifB = "ccb" + id;
        Key keyA = Key.generatePrivate();
        Key keyB = Key.generatePrivate();
        Path confA = writePrivate(ifA + ".conf", """
                [Interface]
                PrivateKey = %s
                Address = 10.62.0.1/24, fd00:62::1/64

                [Peer]
                PublicKey = %s
                AllowedIPs = 10.62.0.2/32, fd00:62::2/128
                Endpoint = %s:%d
                """.formatted(keyA.toBase64(), keyB.publicKey().toBase64(), OUTER_B, PORT));
        Path confB = writePrivate(ifB + ".conf", """
                [Interface]
                PrivateKey = %s
                Address = 10.62.0.2/24, fd00:62::2/64
                ListenPort = %d

                [Peer]
                PublicKey = %s
                AllowedIPs = 10.62.0.1/32, fd00:62::1/128
                """.formatted(keyB.toBase64(), PORT, keyA.publicKey().toBase64()));
        keylog = dir.resolve("keylog");
        jwgB = b.start(jwgUp(List.of(confB.toString())), dir.resolve("b.log"));
        jwgA = a.start(jwgUp(List.of("--keylog", keylog.toString(), confA.toString())), dir.resolve("a.log"));
        awaitUp(jwgB, dir.resolve("b.log"), ifB);
        awaitUp(jwgA, dir.resolve("a.log"), ifA);
        live = true;
        System.out.printf("[capture-check-live] pair up in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    void stopPair() throws Exception {
        // SIGTERM first, so that jwg removes its UAPI socket; the namespaces kill whatever is left
        for (Process p : new Process[] {jwgA, jwgB}) {
            if (p != null) p.destroy();
        }
        for (Process p : new Process[] {jwgA, jwgB}) {
            if (p != null && !p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        for (Netns ns : new Netns[] {a, b}) {
            if (ns != null) ns.close();
        }
        for (String ifname : new String[] {ifA, ifB}) {
            if (ifname != null) Files.deleteIfExists(Path.of("/var/run/wireguard", ifname + ".sock"));
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private void assumeLive() {
        Netns.assumeRoot();
        Assumptions.assumeTrue(onPath("tcpdump") && onPath("tshark") && onPath("ping"),
                "live test skipped: tcpdump, tshark and ping are needed (scripts/test installs them)");
        assertThat(live).as("the jwg pair came up").isTrue();
    }

    /**
     * The first traffic of the tunnel, captured on A's veth with the key log: exit 0 and PASS; every UDP datagram of
     * port 51820 is WireGuard, the handshake (initiation and response) is among them, the marker is not in the raw
     * capture, and tshark decrypts packets carrying it (requests and replies: at least 2 per answered ping).
     */
    @Test
    @Order(1)
    void passesOnTheOuterLinkAndDecryptsWithTheKeyLog() throws Exception {
        assumeLive();
        Run r = captureCheck("--netns", a.name(), "--keylog", keylog.toString(), "--seconds", "1", "veth0", INNER4_B);
        assertThat(r.exit).as("exit status; output:\n%s", r.out).isZero();
        assertThat(r.out).contains("PASS: ").doesNotContain("FAIL");
        int answered = r.number("echo requests:\\s+\\d+ sent, (\\d+) answered");
        assertThat(answered).as("answered pings").isPositive();
        int udp = r.number("UDP datagrams with port 51820:\\s+(\\d+)");
        assertThat(udp).isPositive();
        assertThat(r.number("dissected as WireGuard:\\s+(\\d+)")).as("WireGuard datagrams").isEqualTo(udp);
        assertThat(r.number("\\(initiation (\\d+),")).as("handshake initiations").isPositive();
        assertThat(r.number("response (\\d+),")).as("handshake responses").isPositive();
        assertThat(r.number("transport data (\\d+)\\)")).as("transport messages").isGreaterThanOrEqualTo(2 * answered);
        assertThat(r.number("marker in the raw capture:\\s+(\\d+)")).isZero();
        assertThat(r.number("decrypted with the key log:\\s+(\\d+)")).as("decrypted packets with the marker")
                .isGreaterThanOrEqualTo(2 * answered);
    }

    /** From the other side, over inner IPv6, without a key log: B's veth carries only WireGuard; PASS. */
    @Test
    @Order(2)
    void passesFromTheServerSideOverIpv6() throws Exception {
        assumeLive();
        Run r = captureCheck("--netns", b.name(), "--port", Integer.toString(PORT), "--seconds", "1", "veth0", INNER6_A);
        assertThat(r.exit).as("exit status; output:\n%s", r.out).isZero();
        assertThat(r.out).contains("PASS: ").contains("add --keylog").doesNotContain("decrypted with the key log");
        assertThat(r.number("marker in the raw capture:\\s+(\\d+)")).isZero();
    }

    /** Pointed at the tunnel interface itself, where the pings are plaintext: exit 1, the marker seen, no WireGuard. */
    @Test
    @Order(3)
    void failsOnTheTunnelInterface() throws Exception {
        assumeLive();
        Run r = captureCheck("--netns", a.name(), "--seconds", "1", ifA, INNER4_B);
        assertThat(r.exit).as("exit status; output:\n%s", r.out).isEqualTo(1);
        assertThat(r.number("echo requests:\\s+\\d+ sent, (\\d+) answered")).as("the pings themselves worked").isPositive();
        assertThat(r.number("marker in the raw capture:\\s+(\\d+)")).as("marker occurrences").isPositive();
        assertThat(r.out).contains("FAIL: the plaintext marker crossed " + ifA)
                .contains("FAIL: no UDP datagrams with port 51820 on " + ifA).doesNotContain("PASS");
    }

    /** A target outside the tunnel (B's veth address): the pings cross the veth in clear; exit 1. */
    @Test
    @Order(4)
    void failsWhenThePingsBypassTheTunnel() throws Exception {
        assumeLive();
        Run r = captureCheck("--netns", a.name(), "--seconds", "1", "veth0", OUTER_B);
        assertThat(r.exit).as("exit status; output:\n%s", r.out).isEqualTo(1);
        assertThat(r.number("marker in the raw capture:\\s+(\\d+)")).isPositive();
        assertThat(r.out).contains("FAIL: the plaintext marker crossed veth0").doesNotContain("PASS");
    }

    /**
     * The key log again, on a capture of the now established session (no handshake in it): nothing decrypts, so
     * exit 1 with the reason, although the ciphertext checks hold.
     */
    @Test
    @Order(5)
    void failsWhenTheKeyLogCannotDecrypt() throws Exception {
        assumeLive();
        Run r = captureCheck("--netns", a.name(), "--keylog", keylog.toString(), "--seconds", "1", "veth0", INNER4_B);
        assertThat(r.exit).as("exit status; output:\n%s", r.out).isEqualTo(1);
        assertThat(r.number("marker in the raw capture:\\s+(\\d+)")).isZero();
        assertThat(r.number("decrypted with the key log:\\s+(\\d+)")).isZero();
        assertThat(r.out).contains("FAIL: the key log decrypted nothing carrying the marker: the capture has no handshake")
                .containsOnlyOnce("FAIL");
    }

    /** What cannot be checked is exit 2 with one line naming the problem: missing namespace or interface. */
    @Test
    @Order(6)
    void missingNamespaceOrInterfaceIsExit2() throws Exception {
        assumeLive();
        Run ns = captureCheck("--netns", "jwgt-no-such-ns", "veth0", INNER4_B);
        assertThat(ns.exit).isEqualTo(2);
        assertThat(ns.out.strip()).isEqualTo("capture-check: there is no network namespace jwgt-no-such-ns (ip netns list)");
        Run dev = captureCheck("--netns", a.name(), "nosuch0", INNER4_B);
        assertThat(dev.exit).isEqualTo(2);
        assertThat(dev.out.strip()).isEqualTo("capture-check: there is no interface nosuch0 in netns " + a.name());
    }

    /** Bad arguments (checked before anything else, so this runs without root): exit 2, the error and the usage. */
    @Test
    @Order(7)
    void badArgumentsAreExit2WithUsage() throws Exception {
        Run none = captureCheck();
        assertThat(none.exit).isEqualTo(2);
        assertThat(none.out).startsWith("capture-check: expected OUTER-DEV and PING-TARGET, got 0 argument(s)\nusage: capture-check ");
        Run port = captureCheck("--port", "70000", "eth0", "10.0.0.1");
        assertThat(port.exit).isEqualTo(2);
        assertThat(port.out.strip()).isEqualTo("capture-check: --port: '70000' is not a UDP port (1-65535)");
        Run opt = captureCheck("--bogus", "eth0", "10.0.0.1");
        assertThat(opt.exit).isEqualTo(2);
        assertThat(opt.out).startsWith("capture-check: unknown option --bogus\nusage:");
        Run help = captureCheck("--help");
        assertThat(help.exit).isZero();
        assertThat(help.out).startsWith("usage: capture-check [--netns NS] [--port PORT] [--keylog FILE] [--seconds N] OUTER-DEV PING-TARGET");
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The script's exit status and output (stdout and stderr). */
    private record Run(int exit, String out) {
        /** The first group of the first match of regex in the output. */
        int number(String regex) {
            Matcher m = Pattern.compile(regex).matcher(out);
            assertThat(m.find()).as("/%s/ in the output:\n%s", regex, out).isTrue();
            return Integer.parseInt(m.group(1));
        }
    }

    private Run captureCheck(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script().toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "capture-check", ".out");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("capture-check did not finish within " + SCRIPT_TIMEOUT + ": " + Files.readString(out));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        System.out.printf("[capture-check-live] %s -> exit %d in %d ms%n%s%n", String.join(" ", args), p.exitValue(),
                (System.nanoTime() - t0) / 1_000_000, text.strip());
        return new Run(p.exitValue(), text);
    }

    /** scripts/capture-check of the project the tests run in (found from the working directory up). */
    static Path script() {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts/capture-check");
            if (Files.isRegularFile(s) && Files.isRegularFile(d.resolve("pom.xml"))) return s;
        }
        throw new IllegalStateException("scripts/capture-check not found at or above " + System.getProperty("user.dir"));
    }

    private static boolean onPath(String tool) {
        return io.jwg.os.Commands.which(tool).isPresent();
    }

    private Path writePrivate(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    /** {@code jwg up ARGS} from the classes under test (no jar needed), frugal with CPU, as GatewayLiveTest does. */
    private List<String> jwgUp(List<String> args) throws IOException {
        Path runDir = Files.createDirectories(dir.resolve("run"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djwg.warmup.ms=0", "-Djwg.rundir=" + runDir, "-cp", System.getProperty("java.class.path"), "io.jwg.cli.Main", "up"));
        cmd.addAll(args);
        return cmd;
    }

    private static void awaitUp(Process p, Path log, String ifname) {
        Netns.waitFor(UP_TIMEOUT, ifname + " up: " + read(log), () -> {
            if (!p.isAlive()) throw new AssertionError("jwg up " + ifname + " exited (" + p.exitValue() + "): " + read(log));
            return read(log).contains("interface " + ifname + " is up");
        });
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
