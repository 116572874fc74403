package io.jwg.resilience;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The fixture of the resilience tests: network namespaces, WireGuard ends ({@link WgEnd}: jwg or
 * wireguard-go), pingers and transfers, all torn down by {@link #close()} in reverse order of
 * creation, also when a test fails: processes by PID (SIGTERM, then SIGKILL), UAPI sockets under
 * /var/run/wireguard, /etc/netns/NAME directories, namespaces.
 *
 * <p>Names are unique per JVM and run: namespaces {@code jwgt-TAG-PID-N} (from {@link Netns}),
 * interfaces {@code r<role><pid%100000><n>} (at most 15 characters).
 */
final class Lab implements AutoCloseable {
    private static final AtomicInteger IFCOUNT = new AtomicInteger();
    private static final String PID = Long.toString(ProcessHandle.current().pid() % 100_000);
    private static volatile boolean built;

    final Path dir;
    private final List<AutoCloseable> resources = new ArrayList<>();

    Lab(Path dir) {
        this.dir = dir;
    }

    /** A new namespace, deleted (with everything in it) when the lab closes. */
    Netns ns(String tag) {
        Netns n = Netns.create(tag);
        add(n);
        return n;
    }

    /** A unique interface name: {@code r<role><pid><n>}. */
    static String ifname(String role) {
        String n = "r" + role + PID + Integer.toString(IFCOUNT.incrementAndGet(), 36);
        if (n.length() > 15) throw new IllegalStateException("interface name too long: " + n);
        return n;
    }

    /** Registers something to close (in reverse order of registration) when the lab closes. */
    synchronized <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Writes /etc/netns/NAME/hosts: `ip netns exec NAME` bind-mounts it over /etc/hosts, so
     * commands started in the namespace (jwg among them) resolve these names. Removed on close.
     */
    void writeHosts(Netns ns, String content) throws IOException {
        Path d = Path.of("/etc/netns", ns.name());
        boolean fresh = !Files.isDirectory(d);
        Files.createDirectories(d);
        // written in place, never replaced: running processes see the file through a bind mount of its inode
        Files.writeString(d.resolve("hosts"), "127.0.0.1 localhost\n" + content);
        if (fresh) add(() -> deleteTree(d));
    }

    /** The project's root (pom.xml and scripts/jwg), at or above the working directory. */
    static Path project() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isExecutable(d.resolve("scripts/jwg"))) return d;
        }
        throw new IllegalStateException("project root (pom.xml, scripts/jwg) not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * Makes the launcher build target/jwg.jar now if it is missing or stale (under `mvn verify` the
     * test phase comes before package), so that no bounded wait of a test pays for the build.
     */
    static synchronized void ensureBuilt() {
        if (built) return;
        Netns.Result r = Netns.host(Duration.ofMinutes(5), project().resolve("scripts/jwg").toString(), "--version");
        if (!r.ok()) throw new IllegalStateException("scripts/jwg --version failed: " + r.output().strip());
        built = true;
    }

    /** wireguard-go and wg are there; when not, the variants that need them are left out (with a message). */
    static boolean wireguardGoInstalled() {
        boolean ok = Files.isExecutable(Path.of("/usr/bin/wireguard-go")) && Files.isExecutable(Path.of("/usr/bin/wg"));
        if (!ok) System.out.println("wireguard-go or wg not installed: its variants are skipped (scripts/test installs them)");
        return ok;
    }

    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /**
     * With {@code -Djwg.resilience.logs=DIR}, the logs and outputs of each lab are kept under DIR
     * (the temporary directory is deleted after each test).
     */
    private void keepLogs() {
        String keep = System.getProperty("jwg.resilience.logs");
        if (keep == null || keep.isBlank()) return;
        try {
            Path target = Path.of(keep).resolve(dir.getFileName().toString());
            Files.createDirectories(target);
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".conf")).toList()) {
                    Files.copy(p, target.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("cannot keep logs: " + e);
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> rs;
        synchronized (this) {
            rs = new ArrayList<>(resources);
            resources.clear();
        }
        Throwable first = null;
        for (int i = rs.size() - 1; i >= 0; i--) {
            try {
                rs.get(i).close();
            } catch (Throwable t) {
                if (first == null) first = t;
            }
        }
        keepLogs();
        if (first != null) throw new IllegalStateException("lab teardown failed: " + first, first);
    }

    static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
