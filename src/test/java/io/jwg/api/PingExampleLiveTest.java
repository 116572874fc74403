package io.jwg.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import io.jwg.testing.WireguardGo;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.UapiClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/examples/PingThroughWireGuard.java, compiled here, runs in the test JVM with its UDP socket
 * in a network namespace (no TUN device, no interface of its own) and gets ICMP echo replies from
 * a wireguard-go peer in another namespace.
 */
@Timeout(120)
class PingExampleLiveTest {
    @TempDir Path tmp;

    @Test
    void exampleCompilesAndPingsAWireguardGoPeerWithoutAnInterface() throws Exception {
        Path source = Path.of("docs/examples/PingThroughWireGuard.java").toAbsolutePath();
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-Xlint:all", "-Werror", "-proc:none", "-cp", System.getProperty("java.class.path"),
                "-d", classes.toString(), source.toString());
        assertThat(rc).as(diag.toString()).isZero();

        Netns.assumeRoot();
        WireguardGo.assumeInstalled();
        String gIf = "gpx" + ProcessHandle.current().pid() % 100000;
        Key appKey = Key.generatePrivate(), gKey = Key.generatePrivate();
        try (Netns app = Netns.create("pxa"); Netns g = Netns.create("pxg")) {
            Netns.pair(app, g, "10.211.0.1/24", "10.211.0.2/24");
            try (WireguardGo wg = WireguardGo.start(g, gIf, tmp)) {
                Path gk = tmp.resolve("g.key");
                Files.writeString(gk, gKey.toBase64());
                wg.wg("set", gIf, "private-key", gk.toString(), "listen-port", "51820",
                        "peer", appKey.publicKey().toBase64(), "allowed-ips", "10.212.0.1/32");
                g.run("ip", "addr", "add", "10.212.0.2/24", "dev", gIf);
                g.run("ip", "link", "set", gIf, "up");

                Path conf = tmp.resolve("app0.conf");
                Files.writeString(conf, "[Interface]\nPrivateKey = " + appKey.toBase64() + "\nAddress = 10.212.0.1/32\n\n[Peer]\nPublicKey = "
                        + gKey.publicKey().toBase64() + "\nEndpoint = 10.211.0.2:51820\nAllowedIPs = 10.212.0.0/24\n");
                Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));

                String out;
                try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
                    Method main = loader.loadClass("PingThroughWireGuard").getMethod("main", String[].class);
                    out = app.runInside(() -> runCapturing(main, conf.toString(), "10.212.0.2", "2"));
                }
                assertThat(out).contains("bytes from 10.212.0.2: icmp_seq=1").contains("2 packets transmitted, 2 received");
                assertThat(app.run("ip", "-o", "link").lines().map(l -> l.split(":")[1].strip().split("@")[0]))
                        .as("no interface was made").containsExactly("lo", "veth0");
                long[] transfer = wg.transfer();
                assertThat(transfer[0]).as("wireguard-go received").isPositive();
                assertThat(transfer[1]).as("wireguard-go sent").isPositive();
                assertThat(wg.latestHandshake()).isPositive();

                // jwg's UAPI extension against wireguard-go: refused there, so a plain get is made
                DeviceSnapshot d = UapiClient.create().getExtended(gIf);
                assertThat(d.extensions()).isEmpty();
                assertThat(d.peers()).hasSize(1);
                assertThat(d.peers().get(0).rxBytes()).isEqualTo(transfer[0]);
            }
        }
    }

    /** Runs main with System.out captured (the example prints its results). */
    private static synchronized String runCapturing(Method main, String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw new AssertionError("the example failed; it printed:\n" + buf.toString(StandardCharsets.UTF_8), e.getCause());
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

}
