package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.config.Config;
import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `jwg up` with SaveConfig = true writes changes made with `wg set` back to the file on SIGTERM. */
@Timeout(90)
class SaveConfigLiveTest {
    @TempDir Path tmp;

    @Test
    void changesMadeWithWgAreSavedOnDown() throws Exception {
        Netns.assumeRoot();
        String ifname = "jsc" + (ProcessHandle.current().pid() % 100000);
        Key key = Key.generatePrivate(), peer1 = Key.generatePrivate().publicKey(), peer2 = Key.generatePrivate().publicKey();
        Path conf = tmp.resolve(ifname + ".conf");
        Files.writeString(conf, "[Interface]\nPrivateKey = " + key.toBase64() + "\nAddress = 10.206.0.1/24\nListenPort = 51888\nSaveConfig = true\n"
                + "PostUp = echo hook-%i > " + tmp.resolve("hook") + "\n\n[Peer]\nPublicKey = " + peer1.toBase64() + "\nAllowedIPs = 10.206.1.0/24\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        try (Netns ns = Netns.create("jsc")) {
            Process p = ns.start(List.of(Path.of("").toAbsolutePath().resolve("scripts/jwg").toString(), "up", conf.toString()), tmp.resolve("up.log"));
            assertThat(Netns.await(Duration.ofSeconds(60), () -> logHas(tmp.resolve("up.log"), "is up"))).as("jwg up").isTrue();
            assertThat(Files.readString(tmp.resolve("hook")).strip()).isEqualTo("hook-" + ifname);
            ns.run("wg", "set", ifname, "peer", peer2.toBase64(), "allowed-ips", "10.206.2.0/24", "endpoint", "10.9.9.9:4444", "persistent-keepalive", "21");
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            Config saved = Config.parse(conf);
            assertThat(saved.peers()).hasSize(2);
            assertThat(saved.peer(peer2).orElseThrow().endpoint().orElseThrow().toString()).isEqualTo("10.9.9.9:4444");
            assertThat(saved.peer(peer2).orElseThrow().persistentKeepalive().getAsInt()).isEqualTo(21);
            assertThat(saved.interfaceConfig().postUp()).hasSize(1);
            assertThat(saved.interfaceConfig().addresses().toString()).contains("10.206.0.1/24");
            assertThat(Files.getPosixFilePermissions(conf)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    static boolean logHas(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
