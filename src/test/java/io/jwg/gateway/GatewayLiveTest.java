package io.jwg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live: a full-tunnel client C, a jwg gateway server S and an "internet" host I that only S can reach, each in
 * its own network namespace, with {@code jwg up} run as a process (from the test classpath) in C and S.
 *
 * <pre>
 *   C veth0 10.50.1.1 ---- 10.50.1.2 veth0 S veth1 10.50.2.1, fd00:50:2::1 ---- 10.50.2.2, fd00:50:2::2 veth0 I
 *   C tunnel 10.50.0.2, fd00:50::2  (AllowedIPs 0.0.0.0/0, ::/0)   S tunnel 10.50.0.1, fd00:50::1 (Gateway = auto)
 * </pre>
 * S's default routes point to I; C's main table has only the C-S link. Everything jwg changes is compared
 * before up and after down in every namespace: ip rules, routes of all tables, the nftables ruleset, sysctls.
 *
 * <p>With {@code -Djwg.firewall=iptables} (and iptables installed) jwg is made to use its iptables fallback; the
 * firewall checks then look at {@code iptables-save}/{@code ip6tables-save} (iptables-nft leaves its empty
 * tables behind, so the nft ruleset is not compared in that mode).
 */
@Timeout(150)
class GatewayLiveTest {
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int PORT = 51820;
    private static final boolean IPTABLES = System.getProperty("jwg.firewall", "").equals("iptables");

    private final List<Netns> namespaces = new ArrayList<>();
    private Path dir;
    private long t0;

    @BeforeEach
    void setUp() throws IOException {
        Netns.assumeRoot();
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jwg.os.Commands.which("nft").isPresent(),
                "live test skipped: nftables (nft) is not installed");
        if (IPTABLES) {
            org.junit.jupiter.api.Assumptions.assumeTrue(io.jwg.os.Commands.which("iptables-save").isPresent(),
                    "live test skipped: -Djwg.firewall=iptables but iptables is not installed");
        }
        dir = Files.createTempDirectory("jwg-gateway-live");
        t0 = System.nanoTime();
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Netns ns : namespaces) ns.close();
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private Netns ns(String tag) {
        Netns n = Netns.create(tag);
        namespaces.add(n);
        return n;
    }

    private void step(String what) {
        System.out.printf("[gateway-live] %6d ms  %s%n", (System.nanoTime() - t0) / 1_000_000, what);
    }

    @Test
    void fullTunnelClientThroughGatewayServer() throws Exception {
        Netns c = ns("gwc");
        Netns s = ns("gws");
        Netns i = ns("gwi");
        Netns.pair(c, s, "10.50.1.1/24", "10.50.1.2/24"); // c veth0, s veth0
        Netns.pair(s, i, "10.50.2.1/24", "10.50.2.2/24"); // s veth1, i veth0
        s.run("ip", "-6", "addr", "add", "fd00:50:2::1/64", "dev", "veth1", "nodad");
        i.run("ip", "-6", "addr", "add", "fd00:50:2::2/64", "dev", "veth0", "nodad");
        s.run("ip", "route", "add", "default", "via", "10.50.2.2");
        s.run("ip", "-6", "route", "add", "default", "via", "fd00:50:2::2");

        Key cKey = Key.generatePrivate();
        Key sKey = Key.generatePrivate();
        String cName = "gwc" + ProcessHandle.current().pid() % 100000;
        String sName = "gws" + ProcessHandle.current().pid() % 100000;
        Path cConf = write(cName, """
                [Interface]
                PrivateKey = %s
                Address = 10.50.0.2/24, fd00:50::2/64
                DNS = 10.50.2.53
                PostUp = nft add table inet hooktest
                PostDown = nft delete table inet hooktest

                [Peer]
                PublicKey = %s
                AllowedIPs = 0.0.0.0/0, ::/0
                Endpoint = 10.50.1.2:%d
                """.formatted(cKey.toBase64(), sKey.publicKey().toBase64(), PORT));
        Path sConf = write(sName, """
                [Interface]
                PrivateKey = %s
                Address = 10.50.0.1/24, fd00:50::1/64
                ListenPort = %d
                Gateway = auto

                [Peer]
                PublicKey = %s
                AllowedIPs = 10.50.0.2/32, fd00:50::2/128
                """.formatted(sKey.toBase64(), PORT, cKey.publicKey().toBase64()));

        // The "internet": a web server on I that logs who connects.
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("hello.txt"), "hello from I\n");
        Path httpLog = dir.resolve("http.log");
        i.start(List.of(python(), "-u", "-m", "http.server", "--bind", "::", "--directory", www.toString(), "8080"), httpLog);

        for (Netns n : List.of(c, s, i)) settle(n);
        String cBefore = state(c);
        String sBefore = state(s);
        String iBefore = state(i);
        assertThat(cBefore).contains("net.ipv4.conf.all.src_valid_mark = 0");
        assertThat(sBefore).contains("net.ipv4.ip_forward = 0").contains("net.ipv6.conf.all.forwarding = 0");
        step("namespaces ready");

        Path sLog = dir.resolve("s.log");
        Path cLog = dir.resolve("c.log");
        Process sProc = s.start(jwgUp(sConf), sLog);
        Process cProc = c.start(jwgUp(cConf), cLog);
        waitForLog(sProc, sLog, "interface " + sName + " is up");
        waitForLog(cProc, cLog, "interface " + cName + " is up");
        step("both jwg up");

        // What the client set up: wg-quick's policy routing, firewall mark, nft table, sysctl.
        assertThat(c.run("ip", "-4", "rule")).contains("not from all fwmark 0xca6c lookup 51820")
                .contains("from all lookup main suppress_prefixlength 0");
        assertThat(c.run("ip", "-6", "rule")).contains("not from all fwmark 0xca6c lookup 51820");
        assertThat(c.run("ip", "-4", "route", "show", "table", "51820")).contains("default dev " + cName);
        assertThat(c.run("ip", "-6", "route", "show", "table", "51820")).contains("default dev " + cName);
        if (IPTABLES) {
            assertThat(c.run("iptables-save")).contains("-A PREROUTING -d 10.50.0.2/32 ! -i " + cName)
                    .contains("--restore-mark").contains("--save-mark");
            assertThat(c.run("ip6tables-save")).contains("-A PREROUTING -d fd00:50::2/128 ! -i " + cName);
        } else {
            assertThat(c.run("nft", "list", "table", "inet", "jwg-" + cName)).contains("chain preraw").contains("ip daddr 10.50.0.2")
                    .contains("ip6 daddr fd00:50::2").contains("meta mark 0x0000ca6c ct mark set meta mark");
        }
        assertThat(c.run("sysctl", "-n", "net.ipv4.conf.all.src_valid_mark").strip()).isEqualTo("1");
        assertThat(c.run("nft", "list", "tables")).contains("table inet hooktest"); // the config's own PostUp ran
        assertThat(Files.readString(cLog)).contains("DNS = 10.50.2.53 was not applied: resolvconf is not installed");
        // Unmarked traffic goes into the tunnel; the tunnel's own (marked) datagrams to S use the real link.
        assertThat(c.run("ip", "route", "get", "10.50.2.2")).contains("dev " + cName).contains("table 51820");
        assertThat(c.run("ip", "route", "get", "10.50.1.2", "mark", "51820")).contains("dev veth0").doesNotContain(cName);
        // What the server set up.
        assertThat(s.run("sysctl", "-n", "net.ipv4.ip_forward").strip()).isEqualTo("1");
        assertThat(s.run("sysctl", "-n", "net.ipv6.conf.all.forwarding").strip()).isEqualTo("1");
        if (IPTABLES) {
            assertThat(s.run("iptables-save")).contains("-A FORWARD -i " + sName).contains("-A POSTROUTING -s 10.50.0.0/24 -o veth1");
            assertThat(s.run("ip6tables-save")).contains("-A FORWARD -i " + sName).contains("-A POSTROUTING -s fd00:50::/64 -o veth1");
        } else {
            assertThat(s.run("nft", "list", "table", "inet", "jwg-gw-" + sName))
                    .contains("iifname \"" + sName + "\" accept")
                    .contains("oifname \"veth1\" ip saddr 10.50.0.0/24 masquerade")
                    .contains("oifname \"veth1\" ip6 saddr fd00:50::/64 masquerade");
        }
        assertThat(Files.readString(sLog)).contains("the uplink is veth1");

        // Capture the client's link while traffic flows: only WireGuard UDP to S may appear on it.
        Path dump = dir.resolve("c-veth0.txt");
        Process tcpdump = c.start(List.of("tcpdump", "-n", "-l", "-i", "veth0", "-c", "200",
                "not arp and not (ip6 and (net fe80::/10 or multicast))"), dump); // leaves out the link's own chatter
        waitForLog(tcpdump, dump, "listening on");

        // C reaches I through the tunnel: ICMP (v4, v6) and HTTP (v4, v6), seen by I as coming from S's uplink.
        Netns.waitFor(WAIT, "C pings I through the tunnel (" + logs(cLog, sLog) + ")",
                () -> c.exec(Duration.ofSeconds(3), "ping", "-c", "1", "-W", "1", "10.50.2.2").ok());
        step("first ping C -> I through the tunnel");
        assertThat(c.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.50.2.2").ok()).isTrue();
        assertThat(c.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd00:50:2::2").ok()).isTrue();
        assertThat(httpGet(c, "http://10.50.2.2:8080/hello.txt")).isEqualTo("hello from I\n");
        assertThat(httpGet(c, "http://[fd00:50:2::2]:8080/hello.txt")).isEqualTo("hello from I\n");
        Netns.waitFor(WAIT, "I's web server log", () -> read(httpLog).contains("::ffff:10.50.2.1 - -")
                && read(httpLog).contains("fd00:50:2::1 - -"));
        assertThat(read(httpLog)).doesNotContain("10.50.0.2").doesNotContain("fd00:50::2 ");
        step("ping and HTTP (v4, v6) C -> I ok; I saw S's uplink addresses");

        tcpdump.destroy();
        tcpdump.waitFor(5, TimeUnit.SECONDS);
        List<String> packets = read(dump).lines().filter(l -> l.contains(" > ")).toList();
        assertThat(packets).as("packets on C's link").isNotEmpty()
                .allSatisfy(l -> assertThat(l).matches(".* IP 10\\.50\\.1\\.[12]\\.\\d+ > 10\\.50\\.1\\.[12]\\.\\d+: UDP, .*"));
        assertThat(packets).anySatisfy(l -> assertThat(l).contains("10.50.1.1.").contains("> 10.50.1.2." + PORT + ":"));
        // the tunnel is still up
        assertThat(c.exec("ping", "-c", "1", "-W", "2", "10.50.2.2").ok()).isTrue();

        stop(cProc, cLog);
        stop(sProc, sLog);
        step("both jwg stopped");
        System.out.print("---- server log\n" + read(sLog) + "---- client log\n" + read(cLog));
        if (!IPTABLES) {
            assertThat(Files.readString(cLog)).contains("nft delete table inet jwg-" + cName);
            assertThat(Files.readString(sLog)).contains("nft delete table inet jwg-gw-" + sName);
        }
        assertThat(state(c)).isEqualTo(cBefore);
        assertThat(state(s)).isEqualTo(sBefore);
        assertThat(state(i)).isEqualTo(iBefore);
        step("state after down identical to before up in C, S and I");
    }

    /** Table = N puts the routes (default included) into table N without rules; Table = off adds none. */
    @Test
    void tableNumberAndOff() throws Exception {
        Netns c = ns("gwt");
        Key key = Key.generatePrivate();
        String peer = Key.generatePrivate().publicKey().toBase64();
        String name = "gwt" + ProcessHandle.current().pid() % 100000;
        settle(c);
        String before = state(c);
        for (String table : new String[] {"1234", "off"}) {
            Path conf = write(name, """
                    [Interface]
                    PrivateKey = %s
                    Address = 10.51.0.2/24
                    Table = %s

                    [Peer]
                    PublicKey = %s
                    AllowedIPs = 0.0.0.0/0, 10.52.0.0/16
                    """.formatted(key.toBase64(), table, peer));
            Path log = dir.resolve("t-" + table + ".log");
            Process p = c.start(jwgUp(conf), log);
            waitForLog(p, log, "interface " + name + " is up");
            String t1234 = c.exec("ip", "route", "show", "table", "1234").output();
            if (table.equals("1234")) {
                assertThat(t1234).contains("default dev " + name).contains("10.52.0.0/16 dev " + name);
            } else {
                assertThat(t1234).doesNotContain(name);
                assertThat(c.run("ip", "route", "show", "table", "all")).doesNotContain("10.52.0.0/16").doesNotContain("default");
            }
            assertThat(c.run("ip", "rule")).isEqualTo(before.substring(0, before.indexOf("== ip -6 rule")).replace("== ip rule\n", ""));
            if (!IPTABLES) assertThat(c.run("nft", "list", "ruleset")).isEmpty();
            stop(p, log);
            assertThat(state(c)).isEqualTo(before);
        }
        step("Table = 1234 and Table = off");
    }

    /** A gateway that cannot be set up fails the whole `jwg up`, and what was set up before it is undone. */
    @Test
    void failedGatewayUndoesEverything() throws Exception {
        Netns c = ns("gwf");
        String name = "gwf" + ProcessHandle.current().pid() % 100000;
        Path conf = write(name, """
                [Interface]
                PrivateKey = %s
                Address = 10.53.0.2/24
                Gateway = nosuch0

                [Peer]
                PublicKey = %s
                AllowedIPs = 0.0.0.0/0
                """.formatted(Key.generatePrivate().toBase64(), Key.generatePrivate().publicKey().toBase64()));
        settle(c);
        String before = state(c);
        Path log = dir.resolve("f.log");
        Process p = c.start(jwgUp(conf), log);
        assertThat(p.waitFor(UP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(read(log)).contains("jwg: Gateway = nosuch0: there is no interface nosuch0")
                .contains(IPTABLES ? "[#] iptables-restore -n (deleting)" : "nft delete table inet jwg-" + name); // full tunnel undone
        assertThat(state(c)).isEqualTo(before);
        step("failed gateway undone");
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Waits until IPv6 duplicate address detection is over (link-local addresses get their local routes then). */
    private static void settle(Netns ns) {
        Netns.waitFor(WAIT, "IPv6 DAD in " + ns, () -> ns.run("ip", "-6", "addr", "show", "tentative").isBlank());
    }

    /** Everything jwg may change in a namespace, as text. */
    private static String state(Netns ns) {
        StringBuilder sb = new StringBuilder();
        String[][] cmds = {
                {"ip", "rule"}, {"ip", "-6", "rule"}, {"ip", "route", "show", "table", "all"}, {"ip", "-6", "route", "show", "table", "all"},
                {"nft", "list", "ruleset"},
                {"sysctl", "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.conf.all.src_valid_mark"}};
        for (String[] cmd : cmds) {
            if (IPTABLES && cmd[0].equals("nft")) continue;
            sb.append("== ").append(String.join(" ", cmd)).append('\n').append(ns.run(cmd));
        }
        if (IPTABLES) {
            for (String save : new String[] {"iptables-save", "ip6tables-save"}) {
                sb.append("== ").append(save).append(" (rules)\n");
                ns.run(save).lines().filter(l -> l.startsWith("-A ")).forEach(l -> sb.append(l).append('\n'));
            }
        }
        return sb.toString();
    }

    private Path write(String ifname, String text) throws IOException {
        Path conf = dir.resolve(ifname + ".conf");
        Files.writeString(conf, text);
        Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return conf;
    }

    /** {@code jwg up CONF} from the classes under test (no jar needed), frugal with CPU. */
    private List<String> jwgUp(Path conf) throws IOException {
        Path runDir = Files.createDirectories(dir.resolve("run"));
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Djwg.warmup.ms=0",
                "-Djwg.firewall=" + System.getProperty("jwg.firewall", ""),
                "-Djwg.rundir=" + runDir, "-cp", System.getProperty("java.class.path"), "io.jwg.cli.Main", "up", conf.toString());
    }

    /** An HTTP GET from inside {@code ns} (with python3, which scripts/test installs; curl may be missing). */
    private static String httpGet(Netns ns, String url) {
        return ns.run(python(), "-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())", url);
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static void waitForLog(Process p, Path log, String text) {
        Netns.waitFor(UP_TIMEOUT, "'" + text + "' in " + log.getFileName() + ": " + tail(log), () -> {
            if (!p.isAlive() && !read(log).contains(text)) throw new AssertionError("exited (" + p.exitValue() + "): " + read(log));
            return read(log).contains(text);
        });
    }

    private static void stop(Process p, Path log) throws InterruptedException {
        p.destroy(); // SIGTERM: ip netns exec has exec'd java
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("jwg exits after SIGTERM: " + tail(log)).isTrue();
        assertThat(p.exitValue()).as("exit code; log: " + tail(log)).isZero();
        assertThat(read(log).lines().filter(l -> l.contains("WARN") && !l.contains("DNS = 10.50.2.53 was not applied")))
                .as("warnings in " + log.getFileName()).isEmpty();
    }

    private static String logs(Path... logs) {
        StringBuilder sb = new StringBuilder();
        for (Path l : logs) sb.append(l.getFileName()).append(": ").append(tail(l)).append(" | ");
        return sb.toString();
    }

    private static String tail(Path log) {
        String s = read(log);
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
