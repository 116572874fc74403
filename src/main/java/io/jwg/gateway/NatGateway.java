package io.jwg.gateway;

import io.jwg.config.Gateway;
import io.jwg.config.IpPrefix;
import io.jwg.os.Firewall;
import io.jwg.os.IpCommand;
import io.jwg.os.Sysctl;
import io.jwg.os.UndoStack;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jwg's {@code Gateway = UPLINK|auto}: the interface forwards its peers' traffic to the network behind the
 * uplink interface and masquerades it there, so that peers reach the internet through this host.
 * <ol>
 *   <li>{@code net.ipv4.ip_forward=1}, and {@code net.ipv6.conf.all.forwarding=1} if the tunnel has an IPv6
 *       address; the previous values are remembered;
 *   <li>one nftables table {@code inet jwg-gw-IF}, created by one {@code nft -f}: in the forward hook,
 *       accept what comes from the tunnel and what belongs to established connections going back into
 *       it; in the postrouting NAT hook, masquerade what leaves through the uplink from the tunnel's
 *       subnets (see {@link #sources}). Without nft, the same rules with iptables/ip6tables-restore.
 * </ol>
 * {@link #close()} deletes the table (or the iptables rules) and restores the sysctls, unless another jwg
 * gateway still has its table (then forwarding stays on) or someone else changed them meanwhile.
 */
public final class NatGateway implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(NatGateway.class);

    public static final String IP_FORWARD = "net.ipv4.ip_forward";
    public static final String IPV6_FORWARDING = "net.ipv6.conf.all.forwarding";
    /** Prefix of the nftables table, followed by the interface name. */
    public static final String TABLE_PREFIX = "jwg-gw-";

    private final UndoStack undo = new UndoStack("gateway");
    private String uplink;
    private boolean closed;

    private NatGateway() {}

    /** The uplink interface in use. */
    public String uplink() {
        return uplink;
    }

    /**
     * Sets it up; on failure undoes what was done and throws (one line).
     *
     * @param addresses the tunnel's addresses
     * @param allowedIps all peers' AllowedIPs
     */
    public static NatGateway install(String ifname, Gateway gateway, List<IpPrefix> addresses, Collection<IpPrefix> allowedIps,
            IpCommand ip, Sysctl sysctl, Firewall.Backend firewall) throws IOException {
        NatGateway g = new NatGateway();
        try {
            g.setUp(ifname, gateway, addresses, allowedIps, ip, sysctl, firewall);
            return g;
        } catch (IOException | RuntimeException e) {
            g.close();
            throw e;
        }
    }

    private void setUp(String ifname, Gateway gateway, List<IpPrefix> addresses, Collection<IpPrefix> allowedIps,
            IpCommand ip, Sysctl sysctl, Firewall.Backend firewall) throws IOException {
        uplink = switch (gateway) {
            case Gateway.Uplink u -> u.ifname();
            case Gateway.Auto a -> defaultRouteInterface(ip);
        };
        if (uplink.equals(ifname)) throw new IOException("Gateway = " + gateway + ": the uplink cannot be the tunnel itself");
        if (!ip.exists(uplink)) throw new IOException("Gateway = " + gateway + ": there is no interface " + uplink);
        if (firewall == Firewall.Backend.NONE) {
            throw new IOException("Gateway = " + gateway + " needs nftables (nft) or iptables, and neither is installed");
        }
        boolean v6 = addresses.stream().anyMatch(IpPrefix::isIpv6);
        List<IpPrefix> sources = sources(addresses, allowedIps).stream().filter(p -> p.isIpv4() || v6).toList();
        if (sources.isEmpty()) log.warn("Gateway: the tunnel has no Address or AllowedIPs, so nothing is masqueraded");
        String nftTable = "inet " + Firewall.tableName(TABLE_PREFIX, ifname);

        Sysctl.Change f4 = sysctl.set(IP_FORWARD, "1");
        undo.add(() -> f4.restore(() -> Firewall.otherTableExists(nftTable, n -> n.startsWith(TABLE_PREFIX))));
        if (v6) {
            Sysctl.Change f6 = sysctl.set(IPV6_FORWARDING, "1");
            undo.add(() -> f6.restore(() -> Firewall.otherTableExists(nftTable, n -> n.startsWith(TABLE_PREFIX))));
        }
        Firewall.Installed fw = Firewall.install(firewall, rules(nftTable, ifname, uplink, sources, v6));
        undo.add(fw::close);
        log.info("{} is a gateway: forwarding{} and masquerading {} out of {}", ifname, v6 ? " (IPv4 and IPv6)" : " (IPv4)",
                sources.stream().map(IpPrefix::toString).toList(), uplink);
    }

    /** The interface of the IPv4 default route, else of the IPv6 one. */
    static String defaultRouteInterface(IpCommand ip) throws IOException {
        for (String family : new String[] {"-4", "-6"}) {
            for (String line : ip.run(family, "route", "show", "default").split("\n")) {
                String dev = tokenAfter(line, "dev");
                if (dev != null) {
                    log.info("Gateway = auto: the uplink is {} (the {} default route's interface)", dev, family.equals("-4") ? "IPv4" : "IPv6");
                    return dev;
                }
            }
        }
        throw new IOException("Gateway = auto: there is no default route to find the uplink by; name the interface instead (Gateway = eth0)");
    }

    static String tokenAfter(String text, String key) {
        String[] t = text.trim().split("\\s+");
        for (int i = 0; i + 1 < t.length; i++) {
            if (t[i].equals(key)) return t[i + 1];
        }
        return null;
    }

    /**
     * What is masqueraded: the networks of the tunnel's addresses ({@code 10.0.0.1/24} gives
     * {@code 10.0.0.0/24}) and the peers' AllowedIPs other than default routes, without entries that
     * another one already covers; IPv4 first, shortest prefix first.
     */
    static List<IpPrefix> sources(List<IpPrefix> addresses, Collection<IpPrefix> allowedIps) {
        List<IpPrefix> all = new ArrayList<>();
        for (IpPrefix a : addresses) all.add(a.masked());
        for (IpPrefix a : allowedIps) {
            if (!a.isDefaultRoute()) all.add(a.masked());
        }
        all.sort(Comparator.comparing(IpPrefix::isIpv6).thenComparingInt(IpPrefix::length));
        List<IpPrefix> out = new ArrayList<>();
        for (IpPrefix p : all) {
            if (out.stream().noneMatch(o -> o.isIpv6() == p.isIpv6() && o.contains(p))) out.add(p);
        }
        return out;
    }

    /** The rules, in nft and iptables form. */
    static Firewall.Rules rules(String nftTable, String ifname, String uplink, List<IpPrefix> sources, boolean v6) {
        List<String> s4 = sources.stream().filter(IpPrefix::isIpv4).map(IpPrefix::toString).toList();
        List<String> s6 = sources.stream().filter(IpPrefix::isIpv6).map(IpPrefix::toString).toList();
        StringBuilder nft = new StringBuilder();
        nft.append("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
        nft.append("\t\tiifname \"").append(ifname).append("\" accept\n");
        nft.append("\t\toifname \"").append(ifname).append("\" ct state established,related accept\n\t}\n");
        nft.append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        if (!s4.isEmpty()) {
            nft.append("\t\toifname \"").append(uplink).append("\" ip saddr { ").append(String.join(", ", s4)).append(" } masquerade\n");
        }
        if (!s6.isEmpty()) {
            nft.append("\t\toifname \"").append(uplink).append("\" ip6 saddr { ").append(String.join(", ", s6)).append(" } masquerade\n");
        }
        nft.append("\t}\n");
        return new Firewall.Rules(nftTable, nft.toString(), iptables(ifname, uplink, s4), v6 ? iptables(ifname, uplink, s6) : "");
    }

    private static String iptables(String ifname, String uplink, List<String> sources) {
        String comment = "-m comment --comment \"jwg gateway " + ifname + "\"";
        StringBuilder sb = new StringBuilder("*filter\n");
        sb.append("-I FORWARD -i ").append(ifname).append(' ').append(comment).append(" -j ACCEPT\n");
        sb.append("-I FORWARD -o ").append(ifname).append(" -m conntrack --ctstate RELATED,ESTABLISHED ").append(comment).append(" -j ACCEPT\n");
        sb.append("COMMIT\n*nat\n");
        for (String s : sources) {
            sb.append("-A POSTROUTING -s ").append(s).append(" -o ").append(uplink).append(' ').append(comment).append(" -j MASQUERADE\n");
        }
        return sb.append("COMMIT\n").toString();
    }

    /** Removes the rules and restores the sysctls, in reverse order; never throws; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        undo.runAll();
    }
}
