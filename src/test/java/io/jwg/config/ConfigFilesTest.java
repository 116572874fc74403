package io.jwg.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
    @Test
    void locateLikeWgQuick() {
        assertThat(ConfigFiles.locate("wg0")).isEqualTo(Path.of("/etc/wireguard/wg0.conf"));
        assertThat(ConfigFiles.locate("wg0.conf")).isEqualTo(Path.of("/etc/wireguard/wg0.conf.conf")); // as wg-quick
        assertThat(ConfigFiles.locate("./wg0.conf")).isEqualTo(Path.of("./wg0.conf"));
        assertThat(ConfigFiles.locate("/tmp/wg0.conf")).isEqualTo(Path.of("/tmp/wg0.conf"));
        assertThat(ConfigFiles.locate("abcdefghijklmnop")).isEqualTo(Path.of("abcdefghijklmnop"));
        assertThat(ConfigFiles.locate("wg1", Path.of("/x"))).isEqualTo(Path.of("/x/wg1.conf"));
    }

    @Test
    void permissionWarningAsWgQuick(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("conf"));
        Path file = Files.writeString(dir.resolve("wg0.conf"), "");
        Path link = Files.createSymbolicLink(tmp.resolve("link.conf"), file);

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(ConfigFiles.permissionWarning(file)).isEmpty();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ConfigFiles.permissionWarning(file)).contains("Warning: `" + file.toRealPath() + "' is world accessible");
        assertThat(ConfigFiles.permissionWarning(link)).contains("Warning: `" + file.toRealPath() + "' is world accessible");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----")); // group only: no warning
        assertThat(ConfigFiles.permissionWarning(file)).isEmpty();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // others can't reach it
        assertThat(ConfigFiles.permissionWarning(file)).isEmpty();

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx-----x"));
        assertThat(ConfigFiles.permissionWarning(file)).isEmpty(); // 0644 & 0701 & 0007 == 0, as wg-quick
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r-x"));
        assertThat(ConfigFiles.permissionWarning(file)).isPresent();
    }

    @Test
    void saveWritesPrivatelyAndAtomically(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("wg0.conf");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Config c = Config.of(InterfaceConfig.builder(Key.generatePrivate()).listenPort(1).build(), java.util.List.of());
        ConfigFiles.save(file, c);
        assertThat(Files.readString(file)).isEqualTo(c.toWgQuickText());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.exists(tmp.resolve("wg0.conf.tmp"))).isFalse();
        assertThat(Config.parse(file)).isEqualTo(c);
    }
}
