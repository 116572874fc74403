package io.jwg.gateway;

import io.jwg.config.InetAddresses;
import io.jwg.config.IpPrefix;
import io.jwg.os.Firewall;
import io.jwg.os.IpCommand;
import io.jwg.os.Sysctl;
import io.jwg.os.UndoStack;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * wg-quick's {@code add_default}: a peer's AllowedIPs contain {@code 0.0.0.0/0} or {@code ::/0} and Table is
 * auto, so all traffic goes into the tunnel except the tunnel's own UDP datagrams, which carry a firewall
 * mark and keep using the main table:
 * <ol>
 *   <li>the table T is the interface's FwMark, or else the first of 51820, 51821, ... that has no IPv4 and no
 *       IPv6 routes, and FwMark is set to T (SO_MARK on the device's UDP socket);
 *   <li>per address family with a default route: {@code ip rule add not fwmark T table T},
 *       {@code ip rule add table main suppress_prefixlength 0} (the main table's specific routes, such as
 *       the LAN's, still apply) and {@code ip route add DEFAULT dev IF table T};
 *   <li>{@code net.ipv4.conf.all.src_valid_mark=1} (for IPv4), so that reverse-path filtering takes the mark
 *       into account;
 *   <li>one nftables table {@code inet jwg-IF}: {@code preraw} drops packets for the tunnel's addresses that
 *       arrive on other interfaces from non-local sources, {@code postmangle}/{@code premangle} save the
 *       mark of the tunnel's UDP packets in conntrack and restore it on replies (iptables without nft).
 * </ol>
 * {@link #close()} removes exactly what was added (the rules by priority) and restores the sysctl.
 */
public final class FullTunnel implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(FullTunnel.class);

    /** wg-quick's first table number (and firewall mark). */
    public static final long FIRST_TABLE = 51820;
    public static final String SRC_VALID_MARK = "net.ipv4.conf.all.src_valid_mark";
    /** Prefix of the nftables table, followed by the interface name. */
    public static final String TABLE_PREFIX = "jwg-";

    /** Sets the device's firewall mark. */
    @FunctionalInterface
    public interface Marker {
        void setFwmark(int mark) throws IOException;
    }

    private final UndoStack undo = new UndoStack("full tunnel");
    private long table;
    private boolean closed;

    private FullTunnel() {}

    /** The routing table (= firewall mark) in use. */
    public long table() {
        return table;
    }

    /**
     * Sets it up; on failure undoes what was done and throws.
     *
     * @param ifname the tunnel interface (already up)
     * @param addresses the tunnel's addresses (for the preraw rules)
     * @param defaultRoutes the peers' default routes (0.0.0.0/0 and/or ::/0; duplicates are fine)
     * @param fwmark the device's current firewall mark (0 = none)
     * @param marker sets the device's firewall mark when it has none
     */
    public static FullTunnel install(String ifname, List<IpPrefix> addresses, List<IpPrefix> defaultRoutes, int fwmark,
            Marker marker, IpCommand ip, Sysctl sysctl, Firewall.Backend firewall) throws IOException {
        FullTunnel ft = new FullTunnel();
        try {
            ft.setUp(ifname, addresses, defaultRoutes, fwmark, marker, ip, sysctl, firewall);
            return ft;
        } catch (IOException | RuntimeException e) {
            ft.close();
            throw e;
        }
    }

    private void setUp(String ifname, List<IpPrefix> addresses, List<IpPrefix> defaultRoutes, int fwmark, Marker marker,
            IpCommand ip, Sysctl sysctl, Firewall.Backend firewall) throws IOException {
        boolean v4 = defaultRoutes.stream().anyMatch(p -> p.isDefaultRoute() && p.isIpv4());
        boolean v6 = defaultRoutes.stream().anyMatch(p -> p.isDefaultRoute() && p.isIpv6());
        if (!v4 && !v6) throw new IllegalArgumentException("no default route among " + defaultRoutes);
        if (fwmark != 0) {
            table = Integer.toUnsignedLong(fwmark);
        } else {
            table = freeTable(ip);
            log.info("[#] wg set {} fwmark {}", ifname, table);
            marker.setFwmark((int) table);
        }
        String t = Long.toString(table);
        for (String family : families(v4, v6)) {
            addRule(ip, family, "not", "fwmark", t, "table", t);
            addRule(ip, family, "table", "main", "suppress_prefixlength", "0");
            String def = family.equals("-4") ? "0.0.0.0/0" : "::/0";
            log.info("[#] ip {} route add {} dev {} table {}", family, def, ifname, t);
            ip.run(family, "route", "add", def, "dev", ifname, "table", t);
            undo.add(() -> run(ip, family, "route", "del", def, "dev", ifname, "table", t));
        }
        String nftTable = "inet " + Firewall.tableName(TABLE_PREFIX, ifname);
        if (v4) {
            Sysctl.Change c = sysctl.set(SRC_VALID_MARK, "1");
            undo.add(() -> c.restore(() -> Firewall.otherTableExists(nftTable, FullTunnel::needsSrcValidMark)));
        }
        if (firewall == Firewall.Backend.NONE) {
            log.warn("neither nft nor iptables is installed: the full tunnel works without its protective firewall rules");
        } else {
            Firewall.Rules rules = rules(nftTable, ifname, table, addresses, v4, v6);
            Firewall.Installed fw = Firewall.install(firewall, rules);
            undo.add(fw::close);
        }
    }

    /** A table that a full tunnel (of jwg, or of wg-quick) uses, and so relies on src_valid_mark. */
    static boolean needsSrcValidMark(String tableName) {
        return (tableName.startsWith(TABLE_PREFIX) && !tableName.startsWith(NatGateway.TABLE_PREFIX))
                || tableName.startsWith("wg-quick-");
    }

    private static List<String> families(boolean v4, boolean v6) {
        List<String> f = new ArrayList<>();
        if (v4) f.add("-4");
        if (v6) f.add("-6");
        return f;
    }

    /** wg-quick's choice: the first table from 51820 on with no IPv4 and no IPv6 routes. */
    static long freeTable(IpCommand ip) {
        long t = FIRST_TABLE;
        while (t < 0xffffffffL && (hasRoutes(ip, "-4", t) || hasRoutes(ip, "-6", t))) t++;
        return t;
    }

    private static boolean hasRoutes(IpCommand ip, String family, long table) {
        try {
            return !ip.run(family, "route", "show", "table", Long.toString(table)).isBlank();
        } catch (IOException e) {
            return false; // "FIB table does not exist"
        }
    }

    /** Adds a rule and remembers its priority (the kernel picks it), so that exactly this one is deleted. */
    private void addRule(IpCommand ip, String family, String... selector) throws IOException {
        Set<String> before = new HashSet<>(ip.run(family, "rule", "show").lines().toList());
        List<String> add = new ArrayList<>(List.of(family, "rule", "add"));
        add.addAll(List.of(selector));
        log.info("[#] ip {}", String.join(" ", add));
        ip.run(add.toArray(String[]::new));
        List<String> added = ip.run(family, "rule", "show").lines().filter(l -> !before.contains(l)).toList();
        List<String> del = new ArrayList<>(List.of(family, "rule", "del"));
        if (added.size() == 1 && added.get(0).matches("\\d+:.*")) {
            del.addAll(List.of("pref", added.get(0).substring(0, added.get(0).indexOf(':'))));
        }
        del.addAll(List.of(selector));
        undo.add(() -> run(ip, del.toArray(String[]::new)));
    }

    private static void run(IpCommand ip, String... args) {
        try {
            log.info("[#] ip {}", String.join(" ", args));
            ip.run(args);
        } catch (IOException e) {
            log.warn("{}", e.getMessage());
        }
    }

    /** The firewall rules of wg-quick's add_default, for the families with a default route. */
    static Firewall.Rules rules(String nftTable, String ifname, long table, List<IpPrefix> addresses, boolean v4, boolean v6) {
        String only = v4 && v6 ? "" : v4 ? "meta nfproto ipv4 " : "meta nfproto ipv6 ";
        StringBuilder nft = new StringBuilder();
        nft.append("\tchain preraw {\n\t\ttype filter hook prerouting priority -300; policy accept;\n");
        for (IpPrefix a : addresses) {
            if (a.isIpv4() ? !v4 : !v6) continue;
            nft.append("\t\tiifname != \"").append(ifname).append("\" ").append(a.isIpv4() ? "ip" : "ip6")
                    .append(" daddr ").append(host(a)).append(" fib saddr type != local drop\n");
        }
        nft.append("\t}\n");
        nft.append("\tchain premangle {\n\t\ttype filter hook prerouting priority -150; policy accept;\n");
        nft.append("\t\t").append(only).append("meta l4proto udp meta mark set ct mark\n\t}\n");
        nft.append("\tchain postmangle {\n\t\ttype filter hook postrouting priority -150; policy accept;\n");
        nft.append("\t\t").append(only).append("meta l4proto udp meta mark ").append(table).append(" ct mark set meta mark\n\t}\n");
        return new Firewall.Rules(nftTable, nft.toString(), v4 ? iptables(ifname, table, addresses, false) : "",
                v6 ? iptables(ifname, table, addresses, true) : "");
    }

    private static String iptables(String ifname, long table, List<IpPrefix> addresses, boolean v6) {
        String comment = "-m comment --comment \"jwg rule for " + ifname + "\"";
        StringBuilder sb = new StringBuilder("*raw\n");
        for (IpPrefix a : addresses) {
            if (a.isIpv6() != v6) continue;
            sb.append("-I PREROUTING ! -i ").append(ifname).append(" -d ").append(host(a))
                    .append(" -m addrtype ! --src-type LOCAL ").append(comment).append(" -j DROP\n");
        }
        sb.append("COMMIT\n*mangle\n");
        sb.append("-I POSTROUTING -m mark --mark ").append(table).append(" -p udp ").append(comment).append(" -j CONNMARK --save-mark\n");
        sb.append("-I PREROUTING -p udp ").append(comment).append(" -j CONNMARK --restore-mark\n");
        return sb.append("COMMIT\n").toString();
    }

    private static String host(IpPrefix a) {
        return InetAddresses.format(a.addressBytes());
    }

    /** Removes everything in reverse order; never throws; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        undo.runAll();
    }
}
