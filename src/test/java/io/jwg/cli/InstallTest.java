package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install into a temporary prefix puts the jar, its libraries, a working launcher, the
 * systemd unit (checked with systemd-analyze verify where it exists), completions and man pages
 * there; scripts/uninstall leaves the prefix exactly as it was, files of others included.
 */
@Timeout(120)
class InstallTest {
    @TempDir Path tmp;

    record Run(int exitCode, String out) {}

    static Run run(List<String> cmd) throws Exception {
        return run(cmd, Map.of());
    }

    static Run run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** Every path under root with its type and mode, to compare trees. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                m.put(root.relativize(p).toString(), (Files.isDirectory(p) ? "d " : "f ") + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        }
        return m;
    }

    @Test
    void installAndUninstallIntoATemporaryPrefix() throws Exception {
        Path target = Path.of("target");
        Assumptions.assumeTrue(Files.isRegularFile(target.resolve("jwg.jar")) && Files.isDirectory(target.resolve("lib")),
                "target/jwg.jar is not built (mvn -DskipTests package; scripts/test builds it first)");
        Path prefix = Files.createDirectories(tmp.resolve("prefix with space"));
        Files.createDirectories(prefix.resolve("share/man/man1"));
        Files.writeString(prefix.resolve("share/man/man1/other.1"), "someone else's page\n");
        Files.createDirectories(prefix.resolve("bin"));
        Map<String, String> before = tree(prefix);

        Run install = run(List.of("scripts/install", "--prefix", prefix.toString(), "--no-build"));
        assertThat(install.exitCode()).as(install.out()).isZero();
        for (String f : List.of("bin/jwg", "lib/jwg/jwg.jar", "lib/jwg/install-manifest", "lib/systemd/system/jwg@.service",
                "share/bash-completion/completions/jwg", "share/zsh/site-functions/_jwg", "share/man/man1/jwg.1", "share/man/man1/jwg-up.1")) {
            assertThat(prefix.resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.isExecutable(prefix.resolve("bin/jwg"))).isTrue();
        try (Stream<Path> libs = Files.list(prefix.resolve("lib/jwg/lib"))) {
            assertThat(libs.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("picocli-")).noneMatch(n -> n.startsWith("picocli-codegen"));
        }
        String unit = Files.readString(prefix.resolve("lib/systemd/system/jwg@.service"));
        String exec = "\"" + prefix.resolve("bin/jwg") + "\""; // quoted: the prefix has a space
        assertThat(unit).contains("ExecStart=" + exec + " up %i", "Type=notify", "ExecReload=" + exec + " syncconf %i")
                .doesNotContain("@BINDIR@");

        Run version = run(List.of(prefix.resolve("bin/jwg").toString(), "--version"));
        assertThat(version.exitCode()).as(version.out()).isZero();
        assertThat(version.out()).startsWith("jwg " + Main.version() + "\n");

        verifyUnit(unit, prefix);

        Run again = run(List.of("scripts/install", "--prefix", prefix.toString(), "--no-build"));
        assertThat(again.exitCode()).as("installing over an installation: " + again.out()).isZero();

        Run uninstall = run(List.of("scripts/uninstall", "--prefix", prefix.toString()));
        assertThat(uninstall.exitCode()).as(uninstall.out()).isZero();
        assertThat(tree(prefix)).as("exactly what was there before").isEqualTo(before);
        assertThat(run(List.of("scripts/uninstall", "--prefix", prefix.toString())).exitCode()).as("nothing left to uninstall").isEqualTo(1);
    }

    /** systemd-analyze verify on an instance of the unit (so that %i is expanded), if systemd-analyze is installed. */
    private void verifyUnit(String unit, Path prefix) throws Exception {
        Path analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (analyze == null) {
            System.out.println("InstallTest: systemd-analyze is not installed; the unit's syntax is not checked");
            return;
        }
        Path dir = Files.createDirectories(tmp.resolve("units"));
        Path instance = dir.resolve("jwg@wg0.service");
        Files.writeString(instance, unit);
        // it also runs man for the Documentation= pages: they must be found among the installed ones
        Run v = run(List.of(analyze.toString(), "verify", instance.toString()), Map.of("MANPATH", prefix.resolve("share/man").toString()));
        assertThat(v.exitCode()).as(v.out()).isZero();
        assertThat(v.out()).as("systemd-analyze verify says nothing").isBlank();
    }
}
