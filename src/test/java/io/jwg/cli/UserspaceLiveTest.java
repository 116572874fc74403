package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import io.jwg.testing.WireguardGo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock tools drive jwg exactly as they drive wireguard-go: `wg-quick up` with
 * WG_QUICK_USERSPACE_IMPLEMENTATION pointing at jwg, and an interface configured purely with `wg`.
 */
@Timeout(120)
class UserspaceLiveTest {
    @TempDir Path tmp;

    static Path project() {
        return Path.of("").toAbsolutePath();
    }

    @Test
    void wgQuickAndWgDriveAJwgInterfaceToAWireguardGoPeer() throws Exception {
        Netns.assumeRoot();
        WireguardGo.assumeInstalled();
        Path launcher = project().resolve("scripts/jwg-userspace");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
        String jIf = "jus" + suffix, gIf = "gus" + suffix;
        Key jKey = Key.generatePrivate(), gKey = Key.generatePrivate();
        try (Netns j = Netns.create("jus"); Netns g = Netns.create("gus")) {
            Netns.pair(j, g, "10.203.0.1/24", "10.203.0.2/24");
            try (WireguardGo wg = WireguardGo.start(g, gIf, tmp)) {
                Path gk = tmp.resolve("g.key");
                Files.writeString(gk, gKey.toBase64());
                wg.wg("set", gIf, "private-key", gk.toString(), "listen-port", "51820",
                        "peer", jKey.publicKey().toBase64(), "allowed-ips", "10.204.0.1/32");
                g.run("ip", "addr", "add", "10.204.0.2/24", "dev", gIf);
                g.run("ip", "link", "set", gIf, "up");

                // 1. wg-quick up with jwg as the userspace implementation
                Path conf = tmp.resolve(jIf + ".conf");
                Files.writeString(conf, "[Interface]\nPrivateKey = " + jKey.toBase64() + "\nAddress = 10.204.0.1/24\n\n[Peer]\nPublicKey = "
                        + gKey.publicKey().toBase64() + "\nAllowedIPs = 10.204.0.2/32\nEndpoint = 10.203.0.2:51820\n");
                Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
                Netns.Result up = j.exec(Duration.ofSeconds(60), "env", "WG_QUICK_USERSPACE_IMPLEMENTATION=" + launcher, "wg-quick", "up", conf.toString());
                assertThat(up.exitCode()).as(up.output()).isZero();
                try {
                    assertThat(j.exec("ping", "-c", "3", "-W", "5", "10.204.0.2").exitCode()).isZero();
                    String jTransfer = j.run("wg", "show", jIf, "transfer").strip();
                    String gTransfer = wg.wg("show", gIf, "transfer").strip();
                    String[] jt = jTransfer.split("\\s+"), gt = gTransfer.split("\\s+");
                    assertThat(jt[0]).isEqualTo(gKey.publicKey().toBase64());
                    // mirrored: what jwg received is what wireguard-go sent, and the reverse
                    assertThat(Long.parseLong(jt[1])).as("jwg rx = wireguard-go tx").isEqualTo(Long.parseLong(gt[2]));
                    assertThat(Long.parseLong(jt[2])).as("jwg tx = wireguard-go rx").isEqualTo(Long.parseLong(gt[1]));
                    assertThat(Long.parseLong(j.run("wg", "show", jIf, "latest-handshakes").strip().split("\\s+")[1])).isPositive();

                    // 2. reconfigure purely with wg: a second allowed IP and a keepalive
                    j.run("wg", "set", jIf, "peer", gKey.publicKey().toBase64(), "persistent-keepalive", "25", "allowed-ips", "10.204.0.2/32,10.205.0.0/24");
                    String dump = j.run("wg", "show", jIf, "dump");
                    assertThat(dump).contains("10.204.0.2/32,10.205.0.0/24").contains("\t25\n");
                } finally {
                    Netns.Result down = j.exec(Duration.ofSeconds(30), "wg-quick", "down", conf.toString());
                    assertThat(down.exitCode()).as(down.output()).isZero();
                }
                assertThat(Netns.await(Duration.ofSeconds(10), () -> !Files.exists(Path.of("/var/run/wireguard", jIf + ".sock"))))
                        .as("jwg exits and removes its socket after wg-quick down").isTrue();
                assertThat(j.run("ip", "link")).doesNotContain(jIf);
                assertThat(Netns.await(Duration.ofSeconds(10),
                        () -> Netns.host(Duration.ofSeconds(5), "ip", "netns", "pids", j.name()).output().isBlank()))
                        .as("no process left in the namespace").isTrue();
            }
        }
    }
}
