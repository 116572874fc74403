package io.jwg.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks for the privileges jwg needs to create and configure network interfaces. */
public final class Privileges {
    private Privileges() {}

    /** Linux capability number of CAP_NET_ADMIN. */
    public static final int CAP_NET_ADMIN = 12;

    private static final Path STATUS = Path.of("/proc/self/status");

    /** True if this process has CAP_NET_ADMIN in its effective set. */
    public static boolean hasNetAdmin() {
        try {
            return hasCapability(Files.readString(STATUS), CAP_NET_ADMIN);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** True if this process runs with effective user id 0. */
    public static boolean isRoot() {
        try {
            String uid = field(Files.readString(STATUS), "Uid");
            return uid != null && uid.split("\\s+")[1].equals("0");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Throws a clear, one-line error unless the process may create and configure network interfaces.
     *
     * @throws IOException explaining what is missing and how to fix it
     */
    public static void requireNetAdmin() throws IOException {
        String status;
        try {
            status = Files.readString(STATUS);
        } catch (IOException e) {
            throw new IOException("cannot check privileges (" + STATUS + ": " + e.getMessage() + ")", e);
        }
        if (hasCapability(status, CAP_NET_ADMIN)) {
            return;
        }
        String uid = field(status, "Uid");
        boolean root = uid != null && uid.split("\\s+").length > 1 && uid.split("\\s+")[1].equals("0");
        if (root) {
            throw new IOException("running as root but without CAP_NET_ADMIN, which is needed to create network "
                    + "interfaces (in a container, add the capability: --cap-add NET_ADMIN)");
        }
        throw new IOException("root privileges (CAP_NET_ADMIN) are needed to create network interfaces: "
                + "run jwg as root, e.g. with sudo");
    }

    /** Whether the CapEff line of a /proc/PID/status text has capability {@code cap}. */
    static boolean hasCapability(String status, int cap) {
        String hex = field(status, "CapEff");
        if (hex == null) {
            return false;
        }
        long bits = Long.parseUnsignedLong(hex.strip(), 16);
        return (bits & (1L << cap)) != 0;
    }

    private static String field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return null;
    }
}
