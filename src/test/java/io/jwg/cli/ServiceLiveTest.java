package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jwg up as systemd runs it: READY=1 on $NOTIFY_SOCKET once the interface exists, SIGHUP applies
 * the edited config file (RELOADING=1, then READY=1 again), `jwg syncconf` applies it through the
 * UAPI socket, and SIGTERM ends with STOPPING=1 and exit 0.
 */
@Timeout(120)
class ServiceLiveTest {
    @TempDir Path tmp;

    @Test
    void readinessReloadAndSyncconf() throws Exception {
        Netns.assumeRoot();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        String ifname = "jsv" + (ProcessHandle.current().pid() % 100000);
        Key key = Key.generatePrivate(), p1 = Key.generatePrivate().publicKey(), p2 = Key.generatePrivate().publicKey(),
                p3 = Key.generatePrivate().publicKey();
        Path conf = tmp.resolve(ifname + ".conf");
        String head = "[Interface]\nPrivateKey = " + key.toBase64() + "\nAddress = 10.207.0.1/24\nListenPort = 51871\n\n";
        write(conf, head + peer(p1, "10.207.1.0/24"));
        Path sock = tmp.resolve("notify.sock");
        Path received = tmp.resolve("notify.log");
        // a stand-in for systemd's notification socket: logs each datagram on one line
        String script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                s.settimeout(100)
                with open(sys.argv[2], "a") as log:
                    while True:
                        log.write(s.recv(4096).decode().replace("\\n", " ") + "\\n")
                        log.flush()
                """;
        Process listener = new ProcessBuilder("/usr/bin/python3", "-c", script, sock.toString(), received.toString()).start();
        try (Netns ns = Netns.create("jsv")) {
            Netns.waitFor(Duration.ofSeconds(10), "notification socket", () -> Files.exists(sock));
            Process up = ns.start(List.of("env", "NOTIFY_SOCKET=" + sock, Path.of("scripts/jwg").toAbsolutePath().toString(), "up", conf.toString()),
                    tmp.resolve("up.log"));
            Netns.waitFor(Duration.ofSeconds(60), "READY=1", () -> lines(received).stream().anyMatch(l -> l.startsWith("READY=1")));
            assertThat(ns.exec("ip", "link", "show", ifname).exitCode()).as("the interface exists when READY=1 is sent").isZero();
            assertThat(lines(received).get(0)).contains("STATUS=interface " + ifname + " is up").contains("MAINPID=" + up.pid());

            // SIGHUP: a peer added, one changed
            write(conf, head + peer(p1, "10.207.1.0/24, 10.207.9.0/24") + peer(p2, "10.207.2.0/24"));
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(up.pid())).start().waitFor()).isZero();
            Netns.waitFor(Duration.ofSeconds(20), "reload", () -> lines(received).size() >= 3);
            assertThat(lines(received).get(1)).startsWith("RELOADING=1").contains("MONOTONIC_USEC=");
            assertThat(lines(received).get(2)).startsWith("READY=1");
            String dump = ns.run("wg", "show", ifname, "allowed-ips");
            assertThat(dump).contains(p1.toBase64() + "\t10.207.1.0/24 10.207.9.0/24").contains(p2.toBase64() + "\t10.207.2.0/24");
            assertThat(up.isAlive()).as("SIGHUP does not stop jwg up any more").isTrue();

            // jwg syncconf IFACE FILE: p1 removed, p3 added, p2 unchanged
            write(conf, head + peer(p2, "10.207.2.0/24") + peer(p3, "10.207.3.0/24"));
            Netns.Result dry = ns.exec(Duration.ofSeconds(60), Path.of("scripts/jwg").toAbsolutePath().toString(), "syncconf", "--dry-run", ifname, conf.toString());
            assertThat(dry.exitCode()).as(dry.output()).isZero();
            assertThat(dry.output()).contains("remove=true").doesNotContain("private_key");
            Netns.Result sync = ns.exec(Duration.ofSeconds(60), Path.of("scripts/jwg").toAbsolutePath().toString(), "syncconf", ifname, conf.toString());
            assertThat(sync.exitCode()).as(sync.output()).isZero();
            assertThat(ns.run("wg", "show", ifname, "peers").lines().sorted().toList())
                    .containsExactlyElementsOf(List.of(p2.toBase64(), p3.toBase64()).stream().sorted().toList());

            // a broken file: the reload fails, the interface keeps running unchanged
            write(conf, head + "[Peer]\nPublicKey = nonsense\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(up.pid())).start().waitFor();
            Netns.waitFor(Duration.ofSeconds(20), "failed reload", () -> SaveConfigLiveTest.logHas(tmp.resolve("up.log"), "reload failed"));
            assertThat(ns.run("wg", "show", ifname, "peers").lines().count()).isEqualTo(2);

            up.destroy();
            assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(up.exitValue()).isZero();
            Netns.waitFor(Duration.ofSeconds(5), "STOPPING=1", () -> lines(received).stream().anyMatch(l -> l.startsWith("STOPPING=1")));
        } finally {
            listener.destroy();
            listener.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static String peer(Key k, String allowed) {
        return "[Peer]\nPublicKey = " + k.toBase64() + "\nAllowedIPs = " + allowed + "\n\n";
    }

    static void write(Path conf, String text) throws Exception {
        Files.writeString(conf, text);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
    }

    static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

}
