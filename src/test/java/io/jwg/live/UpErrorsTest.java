package io.jwg.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How {@code jwg up} fails: one line on stderr, exit code 1, nothing left configured. As root every run happens
 * in a fresh namespace; the syntax-error and permission-warning tests also run without root (then in the test's
 * own namespace, where jwg cannot create anything anyway).
 */
class UpErrorsTest {
    static final Duration RUN_BOUND = Duration.ofSeconds(60);
    static final int PORT = 51820;

    @TempDir
    Path dir;

    /** Interface names this test used: UAPI leftovers are removed after each test, whatever happened. */
    private final List<String> names = new ArrayList<>();

    @AfterEach
    void removeLeftovers() {
        names.forEach(TunnelPair::removeUapiLeftovers);
    }

    String newIfname() {
        String n = TunnelPair.uniqueIfname('e');
        names.add(n);
        return n;
    }

    /** A valid server config, one element per line (line N is index N-1). */
    static List<String> configLines() {
        return new ArrayList<>(List.of(
                "[Interface]",
                "PrivateKey = " + Key.generatePrivate().toBase64(),
                "Address = 10.233.0.1/24, fd00:233::1/64",
                "ListenPort = " + PORT,
                "",
                "[Peer]",
                "PublicKey = " + Key.generatePrivate().publicKey().toBase64(),
                "AllowedIPs = 10.233.0.2/32, fd00:233::2/128"));
    }

    Path writeConfig(String ifname, List<String> lines) throws IOException {
        Path conf = dir.resolve(ifname + ".conf");
        TunnelPair.writePrivate(conf, String.join("\n", lines) + "\n");
        return conf;
    }

    /** A config with an error on line {@code line}: exit 1, stderr exactly {@code PATH:LINE: reason}, nothing set up. */
    @ParameterizedTest(name = "line {0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "4 | ListenPort 51820",
            "8 | AllowedIPs = 10.233.0.2/33"})
    void syntaxErrorIsOneLineWithPathAndLine(int line, String text) throws Exception {
        String ifname = newIfname();
        List<String> lines = configLines();
        lines.set(line - 1, text);
        Path conf = writeConfig(ifname, lines);
        try (Netns ns = Netns.isRoot() ? Netns.create("uperr") : null) {
            JwgRun r = JwgRun.run(ns, dir, RUN_BOUND, "up", conf.toString());

            assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isEqualTo(1);
            assertThat(r.stderrLines()).as("stderr").hasSize(1);
            assertThat(r.stderrLines().getFirst()).as("stderr").matches(Pattern.quote(conf.toString()) + ":" + line + ": \\S.*");
            assertThat(r.stdout()).as("stdout").isEmpty();
            assertNothingConfigured(ns, ifname);
        }
    }

    /** An interface of that name exists already: exit 1, one line naming it, and the existing one is untouched. */
    @Test
    void existingInterfaceIsOneLineErrorAndLeftAlone() throws Exception {
        Netns.assumeRoot();
        String ifname = newIfname();
        Path conf = writeConfig(ifname, configLines());
        try (Netns ns = Netns.create("uperr")) {
            ns.run("ip", "tuntap", "add", "dev", ifname, "mode", "tun");
            String linkBefore = ns.run("ip", "-o", "link", "show", "dev", ifname);
            String addrBefore = ns.run("ip", "-o", "addr", "show", "dev", ifname);

            JwgRun r = JwgRun.run(ns, dir, RUN_BOUND, "up", conf.toString());

            assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isEqualTo(1);
            assertThat(r.stderrLines()).as("stderr").hasSize(1);
            assertThat(r.stderrLines().getFirst()).as("stderr").contains(ifname).contains("exists");
            assertThat(ns.run("ip", "-o", "link", "show", "dev", ifname)).as("the existing interface").isEqualTo(linkBefore);
            assertThat(ns.run("ip", "-o", "addr", "show", "dev", ifname)).as("its addresses").isEqualTo(addrBefore);
            assertThat(TunnelPair.State.of(ns).links()).isEqualTo(Set.of("lo", ifname));
            assertNoRoutesOrPidFile(ns, ifname);
        }
    }

    /** ListenPort taken by another (IPv4) socket: exit 1, one line naming the port, no interface left. */
    @Test
    void udpPortInUseIsOneLineErrorAndLeavesNothing() throws Exception {
        Netns.assumeRoot();
        String ifname = newIfname();
        Path conf = writeConfig(ifname, configLines());
        try (Netns ns = Netns.create("uperr");
                DatagramChannel holder = ns.runInside(() -> DatagramChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress("0.0.0.0", PORT)))) {
            JwgRun r = JwgRun.run(ns, dir, RUN_BOUND, "up", conf.toString());

            assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isEqualTo(1);
            assertThat(r.stderrLines()).as("stderr").hasSize(1);
            assertThat(r.stderrLines().getFirst()).as("stderr").contains(Integer.toString(PORT));
            assertThat(holder.isOpen()).isTrue();
            assertNothingConfigured(ns, ifname);
        }
    }

    /**
     * A PostUp command that fails (the last bring-up step, when the interface, addresses and routes exist):
     * exit 1, one stderr line naming the hook, and all of it removed again.
     */
    @Test
    void failingPostUpIsOneLineErrorAndLeavesNothing() throws Exception {
        Netns.assumeRoot();
        String ifname = newIfname();
        List<String> lines = configLines();
        lines.add(4, "PostUp = ip -o link show dev %i && false");
        Path conf = writeConfig(ifname, lines);
        try (Netns ns = Netns.create("uperr")) {
            JwgRun r = JwgRun.run(ns, dir, RUN_BOUND, "up", conf.toString());

            assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isEqualTo(1);
            assertThat(r.stderrLines()).as("stderr").hasSize(1);
            assertThat(r.stderrLines().getFirst()).as("stderr").contains("PostUp");
            assertThat(r.stdout()).as("stdout: the hook saw the interface").contains(ifname + ":");
            assertNothingConfigured(ns, ifname);
        }
    }

    /**
     * A config readable by others (0644 in a 0755 directory) gives wg-quick's warning with the real path as the
     * only stderr line; as root the tunnel still comes up and SIGTERM ends it with 0 (without root jwg then stops
     * with its one-line privilege error).
     */
    @Test
    void worldReadableConfigWarnsLikeWgQuick() throws Exception {
        String ifname = newIfname();
        Path pub = Files.createDirectory(dir.resolve("public"));
        Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = pub.resolve(ifname + ".conf");
        Files.writeString(conf, String.join("\n", configLines()) + "\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        String warning = "Warning: `" + conf.toRealPath() + "' is world accessible";

        if (!Netns.isRoot()) {
            JwgRun r = JwgRun.run(null, dir, RUN_BOUND, "up", conf.toString());
            assertThat(r.exitCode()).as("exit code without root").isEqualTo(1);
            assertThat(r.stderrLines()).as("stderr").hasSize(2).first().isEqualTo(warning);
            return;
        }
        try (Netns ns = Netns.create("uperr"); JwgRun r = JwgRun.start(ns, dir, "up", conf.toString())) {
            Netns.waitFor(TunnelPair.UP_TIMEOUT, "jwg up " + conf + " to be up", () -> {
                if (!r.process().isAlive()) {
                    throw new AssertionError("jwg exited with " + r.exitCode() + "; stderr: " + r.stderr() + " stdout: " + r.stdout());
                }
                return r.stdout().contains("is up") && TunnelPair.linkUp(ns, ifname);
            });
            assertThat(r.stderrLines()).as("stderr while up").containsExactly(warning);
            r.process().destroy();
            assertThat(r.awaitExit(Duration.ofSeconds(15))).as("exit code after SIGTERM").isZero();
            assertThat(r.stderrLines()).as("stderr at the end").containsExactly(warning);
            assertNothingConfigured(ns, ifname);
        }
    }

    /**
     * As root: only lo in ns, no route mentioning ifname or the inner prefixes, no pid file, no UAPI socket; else:
     * no such link, no pid file.
     */
    static void assertNothingConfigured(Netns ns, String ifname) {
        if (ns == null) {
            assertThat(Netns.host(Duration.ofSeconds(10), "ip", "link", "show", "dev", ifname).ok()).as("interface " + ifname + " exists").isFalse();
            assertThat(Path.of("/run/jwg", ifname + ".pid")).as("pid file").doesNotExist();
            return;
        }
        assertThat(TunnelPair.State.of(ns).links()).as("links in %s", ns).containsExactly("lo");
        assertNoRoutesOrPidFile(ns, ifname);
    }

    /** No route mentioning ifname or the inner prefixes in ns, no pid file, no UAPI socket for ifname. */
    static void assertNoRoutesOrPidFile(Netns ns, String ifname) {
        TunnelPair.State s = TunnelPair.State.of(ns);
        for (String routes : List.of(s.allRoutes4(), s.allRoutes6())) {
            assertThat(routes).as("routes in %s", ns).doesNotContain("10.233.").doesNotContain("fd00:233:").doesNotContain(ifname);
        }
        assertThat(Path.of("/run/jwg", ifname + ".pid")).as("pid file").doesNotExist();
        assertThat(TunnelPair.uapiLeftovers(ifname)).as("UAPI socket (and temporary files) in /var/run/wireguard").isEmpty();
    }
}
