package io.jwg.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.crypto.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandshakeLoadCliTest {
    @TempDir
    Path dir;

    @Test
    void peersWritesPrivateKeysAndMatchingServerSections() throws Exception {
        HandshakeLoadCli.writePeers(300, dir);
        List<String> keys = Files.readAllLines(dir.resolve("peers.key"));
        String conf = Files.readString(dir.resolve("peers.conf"));
        assertThat(keys).hasSize(300);
        assertThat(Files.getPosixFilePermissions(dir.resolve("peers.key")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        assertThat(conf).contains("PublicKey = " + Key.fromBase64(keys.get(0)).publicKey().toBase64() + "\nAllowedIPs = 10.200.0.1/32\n");
        assertThat(conf).contains("PublicKey = " + Key.fromBase64(keys.get(299)).publicKey().toBase64() + "\nAllowedIPs = 10.200.1.44/32\n");
    }

    @Test
    void runOptionsAreParsedAndMistakesReportedInOneLine() throws Exception {
        HandshakeLoadCli.writePeers(2, dir);
        String pub = Key.generatePrivate().publicKey().toBase64();
        String keys = dir.resolve("peers.key").toString();
        HandshakeLoad.Options o = HandshakeLoadCli.parseRun(new String[] {"run", "--server", "10.0.0.1:51820", "--server-key", pub,
                "--keys", keys, "--concurrency", "8", "--no-keepalive"});
        assertThat(o.server().getPort()).isEqualTo(51820);
        assertThat(o.peerPrivateKeys()).hasSize(2);
        assertThat(o.concurrency()).isEqualTo(8);
        assertThat(o.keepalive()).isFalse();
        assertThat(o.warmup()).isEqualTo(5000);
        assertThatThrownBy(() -> HandshakeLoadCli.parseRun(new String[] {"run", "--server", "10.0.0.1", "--server-key", pub, "--keys", keys}))
                .hasMessage("--server must be IP:PORT, not '10.0.0.1'");
        assertThatThrownBy(() -> HandshakeLoadCli.parseRun(new String[] {"run", "--server", "10.0.0.1:1", "--server-key", pub, "--keys", keys,
                "--concurrency", "0"})).hasMessage("--concurrency must be a number from 1 to 100000, not '0'");
        assertThatThrownBy(() -> HandshakeLoadCli.parseRun(new String[] {"run", "--keys"})).hasMessage("--keys needs a value");
    }
}
