package io.jwg.uapi;

import io.jwg.config.InterfaceName;
import java.nio.file.Path;

/**
 * Where UAPI sockets live: {@code /var/run/wireguard/IFNAME.sock}, where wg and wg-quick look for
 * them. The directory can be changed with the system property {@value #DIR_PROPERTY} (for tests;
 * the stock wg tool only looks in /var/run/wireguard).
 */
public final class UapiPaths {
    /** System property naming the socket directory. */
    public static final String DIR_PROPERTY = "jwg.uapi.dir";
    /** The directory wg and wireguard-go use. */
    public static final Path DEFAULT_DIR = Path.of("/var/run/wireguard");
    /** The file name suffix of a UAPI socket. */
    public static final String SUFFIX = ".sock";

    private UapiPaths() {}

    /** The socket directory: {@value #DIR_PROPERTY} if set, else /var/run/wireguard. */
    public static Path directory() {
        String d = System.getProperty(DIR_PROPERTY);
        return d == null || d.isBlank() ? DEFAULT_DIR : Path.of(d);
    }

    /**
     * The socket of an interface in {@link #directory()}.
     *
     * @throws IllegalArgumentException if {@code ifname} is not a valid interface name
     */
    public static Path socket(String ifname) {
        return socket(directory(), ifname);
    }

    /** The socket of an interface in {@code dir}. */
    public static Path socket(Path dir, String ifname) {
        InterfaceName.validate(ifname);
        return dir.resolve(ifname + SUFFIX);
    }
}
