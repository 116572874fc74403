package io.jwg.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;

/** /run/jwg: one pid file (and, when detached, one log) per interface. */
final class RunDir {
    static final Path DIR = Path.of(System.getProperty("jwg.rundir", "/run/jwg"));

    private RunDir() {}

    static Path pidFile(String ifname) {
        return DIR.resolve(ifname + ".pid");
    }

    static Path logFile(String ifname) {
        return DIR.resolve(ifname + ".log");
    }

    static void ensure() throws IOException {
        if (!Files.isDirectory(DIR)) {
            Files.createDirectories(DIR);
            Files.setPosixFilePermissions(DIR, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    static void writePid(String ifname) throws IOException {
        ensure();
        Path tmp = DIR.resolve(ifname + ".pid.tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
        Files.move(tmp, pidFile(ifname), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static OptionalLong readPid(String ifname) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(pidFile(ifname)).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static void removePid(String ifname) {
        try {
            OptionalLong pid = readPid(ifname);
            if (pid.isPresent() && pid.getAsLong() == ProcessHandle.current().pid()) Files.deleteIfExists(pidFile(ifname));
        } catch (IOException ignored) {
            // best effort
        }
    }
}
