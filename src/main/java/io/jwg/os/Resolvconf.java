package io.jwg.os;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * wg-quick's DNS handling: the servers and search domains are given to {@code resolvconf -a NAME -m 0 -x}
 * and taken back with {@code resolvconf -d NAME -f}. NAME is the interface name, prefixed as wg-quick does
 * when Debian's resolvconf is in use (/etc/resolvconf/interface-order exists and resolvconf is not a
 * symlink, e.g. to systemd's resolvectl): the first {@code NAME*} entry of interface-order gives the
 * prefix, typically {@code tun.}, so that the tunnel's servers rank like a VPN's. Without resolvconf the
 * DNS setting is not applied and a one-line warning says so.
 */
public final class Resolvconf {
    /** Applied DNS settings; {@link #close()} takes them back and never throws. */
    public interface Applied extends Closeable {
        @Override
        void close();
    }

    private static final Logger log = LoggerFactory.getLogger(Resolvconf.class);
    private static final Pattern ORDER_ENTRY = Pattern.compile("([A-Za-z0-9-]+)\\*");

    private final Optional<Path> program;
    private final Path interfaceOrder;

    private Resolvconf(Optional<Path> program, Path interfaceOrder) {
        this.program = program;
        this.interfaceOrder = interfaceOrder;
    }

    /** resolvconf as found on $PATH, with /etc/resolvconf/interface-order. */
    public static Resolvconf system() {
        return new Resolvconf(Commands.which("resolvconf"), Path.of("/etc/resolvconf/interface-order"));
    }

    /** A given resolvconf program (empty: none installed) and interface-order file (for tests). */
    public static Resolvconf of(Optional<Path> program, Path interfaceOrder) {
        return new Resolvconf(program, interfaceOrder);
    }

    /** The name wg-quick registers the interface's DNS under: prefix (see the class comment) + ifname. */
    public String recordName(String ifname) throws IOException {
        if (program.isEmpty() || !Files.isRegularFile(interfaceOrder) || Files.isSymbolicLink(program.get())) return ifname;
        for (String line : Files.readAllLines(interfaceOrder)) {
            Matcher m = ORDER_ENTRY.matcher(line.strip());
            if (m.matches()) return m.group(1) + "." + ifname;
        }
        return ifname;
    }

    /** What resolvconf reads: a nameserver line per server, and one search line if there are domains. */
    public static String resolvConfText(List<InetAddress> servers, List<String> searchDomains) {
        StringBuilder sb = new StringBuilder();
        for (InetAddress a : servers) {
            String s = a.getHostAddress();
            if (a instanceof Inet6Address) {
                int pct = s.indexOf('%');
                if (pct >= 0) s = s.substring(0, pct);
            }
            sb.append("nameserver ").append(s).append('\n');
        }
        if (!searchDomains.isEmpty()) sb.append("search ").append(String.join(" ", searchDomains)).append('\n');
        return sb.toString();
    }

    /**
     * Applies the DNS setting of interface {@code ifname}. Like wg-quick, nothing happens without servers
     * (search domains alone are ignored). Without resolvconf it logs that DNS was not applied and returns
     * a no-op. Closing the result undoes it.
     *
     * @throws IOException if resolvconf fails
     */
    public Applied apply(String ifname, List<InetAddress> servers, List<String> searchDomains) throws IOException {
        if (servers.isEmpty()) {
            if (!searchDomains.isEmpty()) log.warn("DNS: search domains without a DNS server are ignored (as in wg-quick)");
            return () -> {};
        }
        if (program.isEmpty()) {
            log.warn("DNS = {} was not applied: resolvconf is not installed (install openresolv or resolvconf, or set DNS yourself)",
                    String.join(", ", servers.stream().map(InetAddress::getHostAddress).toList()));
            return () -> {};
        }
        String name = recordName(ifname);
        String exe = program.get().toString();
        log.info("[#] resolvconf -a {} -m 0 -x", name);
        Commands.run(List.of(exe, "-a", name, "-m", "0", "-x"), resolvConfText(servers, searchDomains)).check();
        return () -> {
            try {
                log.info("[#] resolvconf -d {} -f", name);
                Commands.run(List.of(exe, "-d", name, "-f"), null).check();
            } catch (IOException e) {
                log.warn("{}", e.getMessage());
            }
        };
    }
}
