package io.jwg.live;

import io.jwg.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The project under test: its root directory (found from the working directory) and its launcher. */
final class Project {
    private static Path root;
    private static boolean built;

    private Project() {}

    /** The nearest directory at or above the working directory with a pom.xml and scripts/jwg. */
    static synchronized Path root() {
        if (root == null) {
            Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
            for (Path d = start; d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isExecutable(d.resolve("scripts/jwg"))) {
                    root = d;
                    break;
                }
            }
            if (root == null) {
                throw new IllegalStateException("cannot find the project root (pom.xml and scripts/jwg) at or above " + start);
            }
        }
        return root;
    }

    /** {@code <root>/scripts/jwg}. */
    static String jwg() {
        return root().resolve("scripts/jwg").toString();
    }

    /**
     * Runs {@code scripts/jwg --version} once per JVM, so that the launcher builds target/jwg.jar (when it is
     * missing or stale, e.g. under {@code mvn verify}, whose test phase precedes package) here, with a generous
     * bound, and not inside the short bounded waits of the tests or onto the stderr that they check.
     */
    static synchronized void ensureBuilt() {
        if (built) {
            return;
        }
        Netns.Result r = Netns.host(Duration.ofMinutes(5), jwg(), "--version");
        if (!r.ok()) {
            throw new IllegalStateException("scripts/jwg --version failed (exit " + r.exitCode() + "): " + r.output().strip());
        }
        built = true;
    }
}
