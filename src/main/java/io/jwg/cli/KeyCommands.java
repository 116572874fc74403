package io.jwg.cli;

import io.jwg.crypto.Key;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** What genkey, genpsk and pubkey share: wg's messages, its stdout check and its stdin rules. */
final class KeyCommands {
    static final String BAD_KEY = "Key is not the correct length or format";
    static final String TRAILING = "Trailing characters found after key";
    static final String WORLD_ACCESSIBLE_WARNING =
            "Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n";
    /** Where the JVM's file descriptor 1 points (the real stdout, whatever System.out wraps). */
    static final Path STDOUT = Path.of("/proc/self/fd/1");

    private KeyCommands() {}

    /**
     * wg's genkey/genpsk check: fstat(1) is a regular file with any permission bit for others
     * (S_IRWXO). A group-readable file (umask 027) gets no warning, exactly as with wg.
     */
    static boolean worldAccessible(Path stdout) {
        try {
            PosixFileAttributes a = Files.readAttributes(stdout, PosixFileAttributes.class);
            if (!a.isRegularFile()) return false;
            Set<PosixFilePermission> p = a.permissions();
            return p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE)
                    || p.contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    static void warnIfWorldAccessible(Path stdout) {
        if (worldAccessible(stdout)) {
            System.err.print(WORLD_ACCESSIBLE_WARNING);
            System.err.flush();
        }
    }

    /** Prints one base64 key and a newline, as wg's puts(). Returns the exit code. */
    static int printKey(Key key) {
        PrintStream out = System.out;
        out.print(key.toBase64() + "\n");
        out.flush();
        key.destroy();
        if (out.checkError()) return fail("could not write the key to stdout");
        return 0;
    }

    static int fail(String message) {
        System.err.print("jwg: " + message + "\n");
        System.err.flush();
        return 1;
    }

    static int usage(String command) {
        System.err.print("Usage: jwg " + command + "\n");
        System.err.flush();
        return 1;
    }

    /**
     * wg pubkey's input rule: exactly 44 bytes of key, then only NULs and white space until EOF.
     * Throws IllegalArgumentException with wg's message otherwise.
     */
    static Key readKey(InputStream in) throws IOException {
        byte[] text = in.readNBytes(44);
        if (text.length != 44) throw new IllegalArgumentException(BAD_KEY);
        int c;
        while ((c = in.read()) != -1) {
            if (c != 0 && !isSpace(c)) throw new IllegalArgumentException(TRAILING);
        }
        String s = new String(text, StandardCharsets.ISO_8859_1);
        java.util.Arrays.fill(text, (byte) 0);
        try { // 44 characters exactly, so Key.fromBase64's strip() cannot make a bad key acceptable
            return Key.fromBase64(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(BAD_KEY);
        }
    }

    /** wg's char_is_space: \t \n \v \f \r and space. */
    static boolean isSpace(int c) {
        return c == ' ' || (c >= 9 && c <= 13);
    }
}
