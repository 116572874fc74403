package io.jwg.device;

import io.jwg.noise.Tunnel;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * Appends handshake secrets in Wireshark's WireGuard key log format (the wg.keylog_file preference),
 * so a user can decrypt a capture of their own tunnel and see that the ciphertext is their traffic.
 * The file is created 0600. Anyone who can read it can decrypt the tunnel.
 */
public final class KeyLogFile implements Tunnel.KeyLog, java.io.Closeable {
    private final Writer out;

    public KeyLogFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    }

    @Override
    public synchronized void log(byte[] localStaticPrivate, byte[] remoteStaticPublic, byte[] localEphemeralPrivate, byte[] psk) {
        Base64.Encoder b = Base64.getEncoder();
        try {
            out.write("LOCAL_STATIC_PRIVATE_KEY = " + b.encodeToString(localStaticPrivate) + "\n");
            out.write("REMOTE_STATIC_PUBLIC_KEY = " + b.encodeToString(remoteStaticPublic) + "\n");
            out.write("LOCAL_EPHEMERAL_PRIVATE_KEY = " + b.encodeToString(localEphemeralPrivate) + "\n");
            out.write("PRESHARED_KEY = " + b.encodeToString(psk) + "\n");
            out.flush();
        } catch (IOException e) {
            // key logging is a debugging aid; the tunnel goes on without it
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
