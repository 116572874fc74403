package io.jwg.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Finding, checking and writing wg-quick config files, the way wg-quick does. */
public final class ConfigFiles {
    /** Where wg-quick looks for {@code INTERFACE.conf}. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/etc/wireguard");
    /** jwg's own config directory, looked at first for a bare interface name. */
    public static final Path JWG_DIRECTORY = Path.of("/etc/jwg");

    private static final Pattern BARE_NAME = Pattern.compile("[a-zA-Z0-9_=+.-]{1,15}");

    private ConfigFiles() {}

    /**
     * The file that {@code wg-quick up ARG} reads: {@code /etc/wireguard/ARG.conf} if ARG looks like an
     * interface name, else ARG as a path. jwg looks at {@code /etc/jwg/ARG.conf} first, and takes it
     * if it exists. As in wg-quick, {@code wg0.conf} itself looks like an
     * interface name (it gives {@code /etc/wireguard/wg0.conf.conf}); write {@code ./wg0.conf}.
     */
    public static Path locate(String fileOrInterface) {
        if (BARE_NAME.matcher(fileOrInterface).matches()) {
            Path own = JWG_DIRECTORY.resolve(fileOrInterface + ".conf");
            if (Files.exists(own)) return own;
        }
        return locate(fileOrInterface, DEFAULT_DIRECTORY);
    }

    /** Like {@link #locate(String)} with another directory than /etc/wireguard. */
    public static Path locate(String fileOrInterface, Path directory) {
        return BARE_NAME.matcher(fileOrInterface).matches()
                ? directory.resolve(fileOrInterface + ".conf")
                : Path.of(fileOrInterface);
    }

    /**
     * wg-quick's warning when a config file is accessible to others: {@code Warning: `REALPATH' is
     * world accessible}, with the symlink-free path. As in wg-quick, this is when the file's mode
     * and its directory's mode share a bit among the "others" bits (0007): group bits, or others
     * bits on only one of the two, give no warning. Empty on file systems without POSIX modes.
     *
     * @throws IOException if the file or its directory cannot be examined
     */
    public static Optional<String> permissionWarning(Path file) throws IOException {
        Path real = file.toRealPath();
        Path dir = real.getParent();
        if (dir == null || Files.getFileAttributeView(real, PosixFileAttributeView.class) == null) return Optional.empty();
        int common = othersBits(Files.getPosixFilePermissions(real)) & othersBits(Files.getPosixFilePermissions(dir));
        return common == 0 ? Optional.empty() : Optional.of("Warning: `" + real + "' is world accessible");
    }

    /**
     * Writes {@code config.toWgQuickText()} to {@code file} the way wg-quick's SaveConfig does: a
     * temporary file {@code FILE.tmp} created with mode 0600, synced, then moved over {@code file}.
     */
    public static void save(Path file, Config config) throws IOException {
        writeSecurely(file, config.toWgQuickText());
    }

    /** Writes {@code text} to {@code file} atomically through {@code FILE.tmp} with mode 0600. */
    public static void writeSecurely(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        boolean posix = Files.getFileAttributeView(file.toAbsolutePath().getParent(), PosixFileAttributeView.class) != null;
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static int othersBits(Set<PosixFilePermission> perms) {
        return (perms.contains(PosixFilePermission.OTHERS_READ) ? 4 : 0)
                | (perms.contains(PosixFilePermission.OTHERS_WRITE) ? 2 : 0)
                | (perms.contains(PosixFilePermission.OTHERS_EXECUTE) ? 1 : 0);
    }
}
