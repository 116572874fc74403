package io.jwg.cli;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.PeerSnapshot;
import io.jwg.uapi.UapiProtocol;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The text {@code wg show} and {@code wg showconf} print (wireguard-tools' show.c, showconf.c),
 * reproduced byte for byte from a {@link DeviceSnapshot}, plus jwg's JSON form. Pure functions:
 * the current time, colour and key-hiding choices are parameters.
 */
public final class WgText {
    static final String RESET = "\u001b[0m";
    static final String BOLD = "\u001b[1m";
    static final String GREEN = "\u001b[32m";
    static final String YELLOW = "\u001b[33m";
    static final String CYAN = "\u001b[36m";
    static final String RED = "\u001b[31m";
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[^A-Za-z]*[A-Za-z]?");

    /** The fields {@code wg show IFACE FIELD} accepts. */
    public static final List<String> FIELDS = List.of("public-key", "private-key", "listen-port", "fwmark", "peers",
            "preshared-keys", "endpoints", "allowed-ips", "latest-handshakes", "transfer", "persistent-keepalive", "dump");

    private WgText() {}

    // ============================================================== pieces

    /** {@code 1 year, 2 days, 1 minute, 5 seconds} (zero parts left out; empty for 0), as wg's pretty_time. */
    public static String prettyTime(long seconds, boolean color) {
        long left = seconds;
        long years = left / (365L * 24 * 60 * 60);
        left %= 365L * 24 * 60 * 60;
        long days = left / (24 * 60 * 60);
        left %= 24 * 60 * 60;
        long hours = left / (60 * 60);
        left %= 60 * 60;
        long minutes = left / 60;
        long secs = left % 60;
        StringBuilder sb = new StringBuilder();
        unit(sb, years, "year", color);
        unit(sb, days, "day", color);
        unit(sb, hours, "hour", color);
        unit(sb, minutes, "minute", color);
        unit(sb, secs, "second", color);
        return sb.toString();
    }

    private static void unit(StringBuilder sb, long n, String name, boolean color) {
        if (n == 0) return;
        if (!sb.isEmpty()) sb.append(", ");
        sb.append(n).append(' ').append(color ? CYAN : "").append(name).append(n == 1 ? "" : "s").append(color ? RESET : "");
    }

    /** wg's "latest handshake" text: {@code Now}, {@code 1 minute, 5 seconds ago}, or the clock warning. */
    public static String ago(long handshakeSeconds, long nowSeconds, boolean color) {
        if (nowSeconds == handshakeSeconds) return "Now";
        if (nowSeconds < handshakeSeconds) {
            return "(" + (color ? RED : "") + "System clock wound backward; connection problems may ensue." + (color ? RESET : "") + ")";
        }
        return prettyTime(nowSeconds - handshakeSeconds, color) + " ago";
    }

    /** {@code every 25 seconds}. */
    public static String every(int seconds, boolean color) {
        return "every " + prettyTime(seconds, color);
    }

    /** {@code 123 B}, {@code 1.23 KiB}, ... {@code TiB} (an unsigned 64-bit count), as wg's bytes(). */
    public static String bytes(long b, boolean color) {
        String unit;
        String number;
        if (Long.compareUnsigned(b, 1024L) < 0) {
            unit = "B";
            number = Long.toString(b);
        } else {
            double d = b >= 0 ? (double) b : (double) (b >>> 1) * 2.0 + (b & 1);
            if (Long.compareUnsigned(b, 1024L * 1024) < 0) {
                unit = "KiB";
                d /= 1024;
            } else if (Long.compareUnsigned(b, 1024L * 1024 * 1024) < 0) {
                unit = "MiB";
                d /= 1024 * 1024;
            } else if (Long.compareUnsigned(b, 1024L * 1024 * 1024 * 1024) < 0) {
                unit = "GiB";
                d /= 1024 * 1024 * 1024;
            } else {
                unit = "TiB";
                d = d / (1024 * 1024 * 1024) / 1024;
            }
            number = twoDecimals(d);
        }
        return number + " " + (color ? CYAN : "") + unit + (color ? RESET : "");
    }

    /** printf's {@code %.2f}: the exact binary value rounded half-to-even (Java's %.2f rounds half-up). */
    static String twoDecimals(double d) {
        return new BigDecimal(d).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** An endpoint as wg prints it (getnameinfo with numeric host): {@code 1.2.3.4:51820}, {@code [fd00::1]:51820}. */
    public static String endpoint(InetSocketAddress e) {
        return UapiProtocol.formatEndpoint(e);
    }

    private static String key(Key k) {
        return k.toBase64();
    }

    private static String maybeKey(Key k) {
        return k == null ? "(none)" : k.toBase64();
    }

    private static String fwmark(long mark) {
        return mark == 0 ? "off" : "0x" + Long.toHexString(mark);
    }

    /** Removes ANSI escape sequences, as wg does when stdout is not a terminal. */
    static String stripColor(String s) {
        return ANSI.matcher(s).replaceAll("");
    }

    /** Peers in wg's pretty order: latest handshake first, never-handshaken last (stable). */
    static List<PeerSnapshot> sortedForPretty(List<PeerSnapshot> peers) {
        List<PeerSnapshot> sorted = new ArrayList<>(peers);
        Comparator<PeerSnapshot> byTime = Comparator.comparingLong(PeerSnapshot::lastHandshakeSeconds)
                .thenComparingLong(PeerSnapshot::lastHandshakeNanos);
        sorted.sort(byTime.reversed());
        return sorted;
    }

    // ============================================================== wg show IFACE

    /**
     * {@code wg show IFACE}'s pretty output.
     *
     * @param nowSeconds the current time (seconds since the epoch) for "latest handshake"
     * @param color with ANSI colours (wg: when stdout is a terminal, or WG_COLOR_MODE=always)
     * @param showPrivateKey print the private key instead of "(hidden)" (wg: WG_HIDE_KEYS=never)
     */
    public static String pretty(String name, DeviceSnapshot d, long nowSeconds, boolean color, boolean showPrivateKey) {
        StringBuilder sb = new StringBuilder(512);
        sb.append(RESET);
        sb.append(GREEN + BOLD + "interface" + RESET + ": " + GREEN).append(name).append(RESET + "\n");
        Key pub = d.publicKey();
        if (pub != null) sb.append("  " + BOLD + "public key" + RESET + ": ").append(key(pub)).append('\n');
        if (d.privateKey() != null) {
            sb.append("  " + BOLD + "private key" + RESET + ": ").append(showPrivateKey ? key(d.privateKey()) : "(hidden)").append('\n');
        }
        if (d.listenPort() != 0) sb.append("  " + BOLD + "listening port" + RESET + ": ").append(d.listenPort()).append('\n');
        if (d.fwmark() != 0) sb.append("  " + BOLD + "fwmark" + RESET + ": 0x").append(Long.toHexString(d.fwmark())).append('\n');
        List<PeerSnapshot> peers = sortedForPretty(d.peers());
        if (!peers.isEmpty()) sb.append('\n');
        for (int i = 0; i < peers.size(); i++) {
            PeerSnapshot p = peers.get(i);
            sb.append(YELLOW + BOLD + "peer" + RESET + ": " + YELLOW).append(key(p.publicKey())).append(RESET + "\n");
            if (p.presharedKey() != null) {
                sb.append("  " + BOLD + "preshared key" + RESET + ": ").append(showPrivateKey ? key(p.presharedKey()) : "(hidden)").append('\n');
            }
            if (p.endpoint() != null) sb.append("  " + BOLD + "endpoint" + RESET + ": ").append(endpoint(p.endpoint())).append('\n');
            sb.append("  " + BOLD + "allowed ips" + RESET + ": ");
            if (p.allowedIps().isEmpty()) {
                sb.append("(none)\n");
            } else {
                for (int j = 0; j < p.allowedIps().size(); j++) {
                    IpPrefix ip = p.allowedIps().get(j);
                    sb.append(address(ip)).append(CYAN + "/" + RESET).append(ip.length())
                            .append(j + 1 < p.allowedIps().size() ? ", " : "\n");
                }
            }
            if (p.lastHandshakeSeconds() != 0) {
                sb.append("  " + BOLD + "latest handshake" + RESET + ": ").append(ago(p.lastHandshakeSeconds(), nowSeconds, true)).append('\n');
            }
            if (p.rxBytes() != 0 || p.txBytes() != 0) {
                sb.append("  " + BOLD + "transfer" + RESET + ": ");
                sb.append(bytes(p.rxBytes(), true)).append(" received, ");
                sb.append(bytes(p.txBytes(), true)).append(" sent\n");
            }
            if (p.persistentKeepalive() != 0) {
                sb.append("  " + BOLD + "persistent keepalive" + RESET + ": ").append(every(p.persistentKeepalive(), true)).append('\n');
            }
            if (i + 1 < peers.size()) sb.append('\n');
        }
        String s = sb.toString();
        return color ? s : stripColor(s);
    }

    private static String address(IpPrefix ip) {
        String s = ip.toString();
        return s.substring(0, s.lastIndexOf('/'));
    }

    private static String allowedIps(PeerSnapshot p, char separator, char last) {
        if (p.allowedIps().isEmpty()) return "(none)" + last;
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < p.allowedIps().size(); j++) {
            sb.append(p.allowedIps().get(j)).append(j + 1 < p.allowedIps().size() ? separator : last);
        }
        return sb.toString();
    }

    /** {@code wg show IFACE dump} (and, with the interface name first on each line, {@code wg show all dump}). */
    public static String dump(String name, DeviceSnapshot d, boolean withInterface) {
        StringBuilder sb = new StringBuilder(256);
        String prefix = withInterface ? name + "\t" : "";
        sb.append(prefix).append(maybeKey(d.privateKey())).append('\t').append(maybeKey(d.publicKey())).append('\t')
                .append(d.listenPort()).append('\t').append(fwmark(d.fwmark())).append('\n');
        for (PeerSnapshot p : d.peers()) {
            sb.append(prefix).append(key(p.publicKey())).append('\t').append(maybeKey(p.presharedKey())).append('\t')
                    .append(p.endpoint() == null ? "(none)" : endpoint(p.endpoint())).append('\t')
                    .append(allowedIps(p, ',', '\t'))
                    .append(p.lastHandshakeSeconds()).append('\t')
                    .append(Long.toUnsignedString(p.rxBytes())).append('\t').append(Long.toUnsignedString(p.txBytes())).append('\t')
                    .append(p.persistentKeepalive() == 0 ? "off" : Integer.toString(p.persistentKeepalive())).append('\n');
        }
        return sb.toString();
    }

    /**
     * {@code wg show IFACE FIELD} for one of {@link #FIELDS}.
     *
     * @throws IllegalArgumentException for another field
     */
    public static String field(String name, DeviceSnapshot d, String field, boolean withInterface) {
        String prefix = withInterface ? name + "\t" : "";
        StringBuilder sb = new StringBuilder(128);
        switch (field) {
            case "public-key" -> sb.append(prefix).append(maybeKey(d.publicKey())).append('\n');
            case "private-key" -> sb.append(prefix).append(maybeKey(d.privateKey())).append('\n');
            case "listen-port" -> sb.append(prefix).append(d.listenPort()).append('\n');
            case "fwmark" -> sb.append(prefix).append(fwmark(d.fwmark())).append('\n');
            case "endpoints" -> d.peers().forEach(p -> sb.append(prefix).append(key(p.publicKey())).append('\t')
                    .append(p.endpoint() == null ? "(none)" : endpoint(p.endpoint())).append('\n'));
            case "allowed-ips" -> d.peers().forEach(p -> sb.append(prefix).append(key(p.publicKey())).append('\t')
                    .append(allowedIps(p, ' ', '\n')));
            case "latest-handshakes" -> d.peers().forEach(p -> sb.append(prefix).append(key(p.publicKey())).append('\t')
                    .append(p.lastHandshakeSeconds()).append('\n'));
            case "transfer" -> d.peers().forEach(p -> sb.append(prefix).append(key(p.publicKey())).append('\t')
                    .append(Long.toUnsignedString(p.rxBytes())).append('\t').append(Long.toUnsignedString(p.txBytes())).append('\n'));
            case "persistent-keepalive" -> d.peers().forEach(p -> sb.append(prefix).append(key(p.publicKey())).append('\t')
                    .append(p.persistentKeepalive() == 0 ? "off" : Integer.toString(p.persistentKeepalive())).append('\n'));
            case "preshared-keys" -> d.peers().forEach(p -> sb.append(prefix).append(key(p.publicKey())).append('\t')
                    .append(maybeKey(p.presharedKey())).append('\n'));
            case "peers" -> d.peers().forEach(p -> sb.append(prefix).append(key(p.publicKey())).append('\n'));
            case "dump" -> sb.append(dump(name, d, withInterface));
            default -> throw new IllegalArgumentException("Invalid parameter: `" + field + "'");
        }
        return sb.toString();
    }

    // ============================================================== wg showconf

    /** {@code wg showconf IFACE}. */
    public static String showconf(DeviceSnapshot d) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("[Interface]\n");
        if (d.listenPort() != 0) sb.append("ListenPort = ").append(d.listenPort()).append('\n');
        if (d.fwmark() != 0) sb.append("FwMark = 0x").append(Long.toHexString(d.fwmark())).append('\n');
        if (d.privateKey() != null) sb.append("PrivateKey = ").append(key(d.privateKey())).append('\n');
        sb.append('\n');
        for (int i = 0; i < d.peers().size(); i++) {
            PeerSnapshot p = d.peers().get(i);
            sb.append("[Peer]\nPublicKey = ").append(key(p.publicKey())).append('\n');
            if (p.presharedKey() != null) sb.append("PresharedKey = ").append(key(p.presharedKey())).append('\n');
            if (!p.allowedIps().isEmpty()) {
                sb.append("AllowedIPs = ");
                for (int j = 0; j < p.allowedIps().size(); j++) {
                    sb.append(p.allowedIps().get(j)).append(j + 1 < p.allowedIps().size() ? ", " : "\n");
                }
            }
            if (p.endpoint() != null) sb.append("Endpoint = ").append(endpoint(p.endpoint())).append('\n');
            if (p.persistentKeepalive() != 0) sb.append("PersistentKeepalive = ").append(p.persistentKeepalive()).append('\n');
            if (i + 1 < d.peers().size()) sb.append('\n');
        }
        return sb.toString();
    }

    // ============================================================== JSON

    /**
     * One interface as a JSON object (no key material but public keys):
     * <pre>{@code
     * {"interface":"wg0","public_key":"...","listen_port":51820,"fwmark":0,"peers":[
     *   {"public_key":"...","preshared_key":false,"endpoint":"10.0.0.2:51820","allowed_ips":["10.9.0.2/32"],
     *    "latest_handshake":1700000000,"handshake_age_seconds":65,"rx_bytes":1234,"tx_bytes":5678,
     *    "persistent_keepalive":25}]}
     * }</pre>
     * {@code public_key} and {@code endpoint} are null when absent; {@code latest_handshake} is 0
     * and {@code handshake_age_seconds} null without a handshake; {@code persistent_keepalive} is 0 when off.
     */
    public static String json(String name, DeviceSnapshot d, long nowSeconds) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"interface\":").append(jsonString(name));
        sb.append(",\"public_key\":").append(d.publicKey() == null ? "null" : jsonString(key(d.publicKey())));
        sb.append(",\"listen_port\":").append(d.listenPort());
        sb.append(",\"fwmark\":").append(d.fwmark());
        jsonDrops(sb, d.extensions());
        sb.append(",\"peers\":[");
        for (int i = 0; i < d.peers().size(); i++) {
            PeerSnapshot p = d.peers().get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"public_key\":").append(jsonString(key(p.publicKey())));
            sb.append(",\"preshared_key\":").append(p.presharedKey() != null);
            sb.append(",\"endpoint\":").append(p.endpoint() == null ? "null" : jsonString(endpoint(p.endpoint())));
            sb.append(",\"allowed_ips\":[");
            for (int j = 0; j < p.allowedIps().size(); j++) {
                if (j > 0) sb.append(',');
                sb.append(jsonString(p.allowedIps().get(j).toString()));
            }
            sb.append("],\"latest_handshake\":").append(p.lastHandshakeSeconds());
            sb.append(",\"handshake_age_seconds\":")
                    .append(p.lastHandshakeSeconds() == 0 ? "null" : Long.toString(Math.max(0, nowSeconds - p.lastHandshakeSeconds())));
            sb.append(",\"rx_bytes\":").append(Long.toUnsignedString(p.rxBytes()));
            sb.append(",\"tx_bytes\":").append(Long.toUnsignedString(p.txBytes()));
            sb.append(",\"persistent_keepalive\":").append(p.persistentKeepalive());
            Long age = p.extensions().get(io.jwg.uapi.JwgExtensions.KEYPAIR_AGE_MSEC);
            if (age != null) sb.append(",\"keypair_age_seconds\":").append(age / 1000);
            jsonDrops(sb, p.extensions());
            sb.append('}');
        }
        sb.append("]}");
        return sb.toString();
    }

    /** {@code ,"drops":{"replay":0,...}} when the snapshot has jwg's drop counters (a jwg interface). */
    private static void jsonDrops(StringBuilder sb, java.util.Map<String, Long> extensions) {
        java.util.Map<io.jwg.device.DropReason, Long> drops = io.jwg.uapi.JwgExtensions.drops(extensions);
        if (drops.isEmpty()) return;
        sb.append(",\"drops\":{");
        boolean first = true;
        for (java.util.Map.Entry<io.jwg.device.DropReason, Long> e : drops.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(jsonString(e.getKey().key())).append(':').append(Long.toUnsignedString(e.getValue()));
        }
        sb.append('}');
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
