package io.jwg.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kernel parameters under /proc/sys, by their sysctl(8) names ({@code net.ipv4.ip_forward}). The
 * {@code net.*} ones belong to the network namespace of the process. {@link #set} remembers the previous
 * value so that {@link Change#restore} can put it back.
 */
public final class Sysctl {
    private static final Logger log = LoggerFactory.getLogger(Sysctl.class);
    private static final Pattern KEY = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)+");

    private final Path root;

    private Sysctl(Path root) {
        this.root = root;
    }

    /** The running kernel's parameters (/proc/sys). */
    public static Sysctl system() {
        return new Sysctl(Path.of("/proc/sys"));
    }

    /** Parameters as files under another directory (for tests). */
    public static Sysctl at(Path root) {
        return new Sysctl(root);
    }

    /** The current value, stripped; empty if the parameter does not exist (e.g. IPv6 is disabled). */
    public Optional<String> read(String key) throws IOException {
        try {
            return Optional.of(Files.readString(file(key), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Writes a value. */
    public void write(String key, String value) throws IOException {
        try {
            Files.writeString(file(key), value + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("cannot set sysctl " + key + "=" + value + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets {@code key} to {@code value} unless it already has it (as wg-quick does for src_valid_mark).
     * Returns what to undo: nothing if the value was already right.
     *
     * @throws IOException if the parameter does not exist or cannot be written
     */
    public Change set(String key, String value) throws IOException {
        Optional<String> before = read(key);
        if (before.isEmpty()) throw new IOException("cannot set sysctl " + key + "=" + value + ": no such parameter");
        if (before.get().equals(value)) return new Change(key, value, value);
        log.info("[#] sysctl -q {}={}", key, value);
        write(key, value);
        return new Change(key, before.get(), value);
    }

    private Path file(String key) {
        if (!KEY.matcher(key).matches()) throw new IllegalArgumentException("not a sysctl name: " + key);
        return root.resolve(key.replace('.', '/'));
    }

    /** A value set by {@link #set}: what it was and what it was set to. */
    public final class Change {
        private final String key;
        private final String previous;
        private final String value;

        private Change(String key, String previous, String value) {
            this.key = key;
            this.previous = previous;
            this.value = value;
        }

        public String key() {
            return key;
        }

        public String previous() {
            return previous;
        }

        /** Whether {@link #set} changed anything. */
        public boolean changed() {
            return !previous.equals(value);
        }

        /**
         * Puts the previous value back, if this change made one and the value is still the one set (someone
         * else may have changed it since) and {@code stillNeeded} (asked only then) says nobody else relies
         * on it. Never throws: failures are logged.
         */
        public void restore(BooleanSupplier stillNeeded) {
            if (!changed()) return;
            try {
                Optional<String> now = read(key);
                if (now.isEmpty() || !now.get().equals(value)) {
                    log.info("sysctl {} is now {}, not {}: leaving it alone", key, now.orElse("(gone)"), value);
                    return;
                }
                if (stillNeeded.getAsBoolean()) {
                    log.info("sysctl {} stays {}: another jwg or wg-quick interface still needs it", key, value);
                    return;
                }
                log.info("[#] sysctl -q {}={}", key, previous);
                write(key, previous);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot restore sysctl {}={}: {}", key, previous, e.getMessage());
            }
        }
    }
}
