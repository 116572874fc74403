package io.jwg.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A wireguard-go interface inside a test namespace, configured with the stock {@code wg} tool. The
 * process is killed with the namespace; {@link #close()} also removes its UAPI socket.
 */
public final class WireguardGo implements AutoCloseable {
    private final Netns ns;
    private final String ifname;
    private final Process process;

    private WireguardGo(Netns ns, String ifname, Process process) {
        this.ns = ns;
        this.ifname = ifname;
        this.process = process;
    }

    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/wireguard-go")) && Files.isExecutable(Path.of("/usr/bin/wg")),
                "live test skipped: wireguard-go and wg (wireguard-tools) are not installed (scripts/test installs them)");
    }

    /** Starts {@code wireguard-go -f IFNAME} in ns and waits for its UAPI socket. */
    public static WireguardGo start(Netns ns, String ifname, Path logDir) throws IOException {
        Process p = ns.start(List.of("wireguard-go", "-f", ifname), logDir.resolve(ifname + ".wggo.log"));
        Path sock = socket(ifname);
        Netns.waitFor(Duration.ofSeconds(10), "wireguard-go UAPI socket " + sock, () -> Files.exists(sock));
        return new WireguardGo(ns, ifname, p);
    }

    public static Path socket(String ifname) {
        return Path.of("/var/run/wireguard", ifname + ".sock");
    }

    public String ifname() {
        return ifname;
    }

    public Process process() {
        return process;
    }

    /** Runs {@code wg ARGS} inside the namespace and returns its output (throws on failure). */
    public String wg(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "wg";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return ns.run(cmd);
    }

    /** rx and tx bytes that {@code wg show IFNAME transfer} reports for the (only) peer. */
    public long[] transfer() {
        String out = wg("show", ifname, "transfer").strip();
        if (out.isEmpty()) return new long[] {0, 0};
        String[] f = out.split("\\s+");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    /** Seconds since the epoch of the peer's latest handshake, 0 if none. */
    public long latestHandshake() {
        String out = wg("show", ifname, "latest-handshakes").strip();
        if (out.isEmpty()) return 0;
        return Long.parseLong(out.split("\\s+")[1]);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket(ifname));
        } catch (IOException ignored) {
            // best effort
        }
    }
}
