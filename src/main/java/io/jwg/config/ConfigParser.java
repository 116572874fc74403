package io.jwg.config;

import io.jwg.crypto.Key;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads wg-quick config text; the rules are documented on {@link Config#parse(String, String)}. */
final class ConfigParser {
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern DNS_SERVER = Pattern.compile("[0-9.]+|.*:.*");

    private enum Section { NONE, INTERFACE, PEER }

    private final String source;
    private Section section = Section.NONE;

    private final InterfaceConfig.Builder iface = new InterfaceConfig.Builder();
    private int interfaceLine;
    private boolean hasPrivateKey;
    private int mtuLine;

    private final List<PeerConfig> peers = new ArrayList<>();
    private final Map<Key, Integer> peerKeyLines = new HashMap<>();
    private PeerConfig.Builder peer;
    private int peerLine;
    private Key peerKey;
    private int peerKeyLine;

    ConfigParser(String source) {
        this.source = source;
    }

    Config parse(String text) throws ConfigException {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == 0 && line.startsWith("\uFEFF")) line = line.substring(1);
            parseLine(i + 1, line);
        }
        endSection();
        if (interfaceLine == 0) throw error(1, "missing [Interface] section");
        InterfaceConfig interfaceConfig;
        try {
            interfaceConfig = iface.build();
        } catch (IllegalArgumentException e) {
            throw error(mtuLine, "MTU: " + e.getMessage());
        }
        return Config.ofChecked(interfaceConfig, peers);
    }

    private void parseLine(int n, String line) throws ConfigException {
        int hash = line.indexOf('#');
        String uncommented = (hash < 0 ? line : line.substring(0, hash)).strip();
        if (uncommented.isEmpty()) return;
        if (uncommented.indexOf('\uFFFD') >= 0) throw error(n, "not valid UTF-8 text");
        if (uncommented.startsWith("[")) {
            startSection(n, WHITESPACE.matcher(uncommented).replaceAll(""));
            return;
        }
        int eq = uncommented.indexOf('=');
        if (eq < 0) throw error(n, "expected `Key = Value' or a [Section] header");
        String key = uncommented.substring(0, eq).strip();
        String value = uncommented.substring(eq + 1).strip();
        if (key.isEmpty()) throw error(n, "missing key before `='");
        if (section == Section.NONE) {
            throw error(n, "`" + key + "' is outside of a section; put it under [Interface] or [Peer]");
        }
        String lower = key.toLowerCase(Locale.ROOT);
        if (section == Section.INTERFACE) {
            interfaceKey(n, lower, key, value, line);
        } else {
            peerKey(n, lower, key, value);
        }
    }

    private void startSection(int n, String header) throws ConfigException {
        endSection();
        if (header.equalsIgnoreCase("[Interface]")) {
            if (interfaceLine != 0) throw error(n, "more than one [Interface] section (the first is at line " + interfaceLine + ")");
            interfaceLine = n;
            section = Section.INTERFACE;
        } else if (header.equalsIgnoreCase("[Peer]")) {
            peer = new PeerConfig.Builder();
            peerLine = n;
            peerKey = null;
            section = Section.PEER;
        } else {
            throw error(n, "unknown section `" + quotableHeader(header) + "' (expected [Interface] or [Peer])");
        }
    }

    /**
     * The header as an error may quote it: a header line can hold a key when a user wrote
     * {@code [Interface] PrivateKey = ...} on one line, so a long header or one with '=' is cut after
     * its first ']' (or not shown at all).
     */
    private static String quotableHeader(String header) {
        if (header.length() <= 24 && header.indexOf('=') < 0) return header;
        int close = header.indexOf(']');
        return close >= 0 && close < 24 ? header.substring(0, close + 1) + "..." : header.substring(0, 1) + "...";
    }

    private void endSection() throws ConfigException {
        if (section == Section.INTERFACE) {
            if (!hasPrivateKey) throw error(interfaceLine, "[Interface] has no PrivateKey");
        } else if (section == Section.PEER) {
            if (peerKey == null) throw error(peerLine, "[Peer] has no PublicKey");
            Integer earlier = peerKeyLines.putIfAbsent(peerKey, peerKeyLine);
            if (earlier != null) {
                throw error(peerKeyLine, "PublicKey: the same key as the peer at line " + earlier + " (each peer needs its own)");
            }
            peers.add(peer.publicKey(peerKey).build());
        }
        section = Section.NONE;
    }

    private void interfaceKey(int n, String lower, String key, String value, String line) throws ConfigException {
        try {
            switch (lower) {
                case "privatekey" -> {
                    iface.privateKey(key(n, "PrivateKey", value));
                    hasPrivateKey = true;
                }
                case "listenport" -> {
                    String v = wgValue(n, "ListenPort", value);
                    int port = Endpoint.parsePort(v);
                    if (port < 0) throw error(n, "ListenPort: `" + v + "' is not a valid port (0-65535)");
                    iface.listenPort(port);
                }
                case "fwmark" -> iface.fwMark(fwMark(n, wgValue(n, "FwMark", value)));
                case "address" -> {
                    for (String entry : split(value)) iface.addAddress(parse(n, "Address", entry));
                }
                case "dns" -> {
                    for (String entry : split(value)) dns(n, entry);
                }
                case "mtu" -> mtu(n, value);
                case "table" -> iface.table(RouteTable.parse(value));
                case "gateway" -> Gateway.parse(value).ifPresentOrElse(iface::gateway, iface::clearGateway);
                case "preup", "postup", "predown", "postdown" -> hook(n, lower, line);
                case "saveconfig" -> {
                    if (value.equalsIgnoreCase("true")) iface.saveConfig(true);
                    else if (value.equalsIgnoreCase("false")) iface.saveConfig(false);
                    else throw error(n, "SaveConfig: `" + value + "' is neither true nor false");
                }
                case "publickey", "presharedkey", "allowedips", "endpoint", "persistentkeepalive" ->
                        throw error(n, "unknown key `" + key + "' in [Interface] section (it belongs in a [Peer] section)");
                default -> throw error(n, "unknown key `" + key + "' in [Interface] section");
            }
        } catch (IllegalArgumentException e) {
            throw error(n, canonical(lower) + ": " + e.getMessage());
        }
    }

    private void peerKey(int n, String lower, String key, String value) throws ConfigException {
        try {
            switch (lower) {
                case "publickey" -> {
                    peerKey = key(n, "PublicKey", value);
                    peerKeyLine = n;
                }
                case "presharedkey" -> peer.presharedKey(key(n, "PresharedKey", value));
                case "allowedips" -> {
                    String v = wgValue(n, "AllowedIPs", value);
                    for (String entry : v.split(",", -1)) {
                        if (entry.isEmpty()) throw error(n, "AllowedIPs: empty entry in `" + v + "'");
                        if (entry.charAt(0) == '+' || entry.charAt(0) == '-') {
                            throw error(n, "AllowedIPs: `" + entry + "': a leading + or - is only for `wg set'");
                        }
                        peer.addAllowedIp(parse(n, "AllowedIPs", entry));
                    }
                }
                case "endpoint" -> peer.endpoint(Endpoint.parse(wgValue(n, "Endpoint", value)));
                case "persistentkeepalive" -> peer.persistentKeepalive(keepalive(n, wgValue(n, "PersistentKeepalive", value)));
                case "privatekey", "listenport", "fwmark", "address", "dns", "mtu", "table", "gateway",
                        "preup", "postup", "predown", "postdown", "saveconfig" ->
                        throw error(n, "unknown key `" + key + "' in [Peer] section (it belongs in the [Interface] section)");
                default -> throw error(n, "unknown key `" + key + "' in [Peer] section");
            }
        } catch (IllegalArgumentException e) {
            throw error(n, canonical(lower) + ": " + e.getMessage());
        }
    }

    /** A value wg reads: all whitespace removed, and it must not be empty (wg: "Line unrecognized"). */
    private String wgValue(int n, String name, String value) throws ConfigException {
        String v = WHITESPACE.matcher(value).replaceAll("");
        if (v.isEmpty()) throw error(n, name + ": missing value");
        return v;
    }

    private Key key(int n, String name, String value) throws ConfigException {
        String v = wgValue(n, name, value);
        try {
            return Key.fromBase64(v);
        } catch (IllegalArgumentException e) {
            throw error(n, name + ": " + e.getMessage()); // never echo key material
        }
    }

    private IpPrefix parse(int n, String name, String entry) throws ConfigException {
        try {
            return IpPrefix.parse(entry);
        } catch (IllegalArgumentException e) {
            throw error(n, name + ": " + e.getMessage());
        }
    }

    private void dns(int n, String entry) throws ConfigException {
        if (DNS_SERVER.matcher(entry).matches()) {
            if (entry.indexOf('%') >= 0) throw error(n, "DNS: `" + entry + "': scoped IPv6 DNS servers are not supported");
            byte[] bytes = InetAddresses.parseLiteralBytes(entry);
            if (bytes == null) throw error(n, "DNS: `" + entry + "' is not a valid IP address");
            InetAddress server = InetAddresses.toInetAddress(bytes);
            iface.addDnsServer(server);
        } else {
            if (!InterfaceConfig.SEARCH_DOMAIN.matcher(entry).matches()) {
                throw error(n, "DNS: `" + entry + "' is neither an IP address nor a valid search domain");
            }
            iface.addDnsSearchDomain(entry);
        }
    }

    private void mtu(int n, String value) throws ConfigException {
        if (value.isEmpty()) {
            iface.clearMtu();
            mtuLine = 0;
            return;
        }
        int mtu = value.length() <= 6 && value.chars().allMatch(c -> c >= '0' && c <= '9') ? Integer.parseInt(value) : -1;
        if (mtu < InterfaceConfig.MIN_MTU || mtu > InterfaceConfig.MAX_MTU) {
            throw error(n, "MTU: `" + value + "' is not a valid MTU (" + InterfaceConfig.MIN_MTU + "-" + InterfaceConfig.MAX_MTU + ")");
        }
        iface.mtu(mtu);
        mtuLine = n;
    }

    /** wg-quick takes the whole rest of the line after the first '=', '#' and all. */
    private void hook(int n, String lower, String line) throws ConfigException {
        String command = line.substring(line.indexOf('=') + 1).strip();
        if (command.isEmpty()) return;
        if (command.indexOf('\uFFFD') >= 0) throw error(n, "not valid UTF-8 text");
        switch (lower) {
            case "preup" -> iface.addPreUp(command);
            case "postup" -> iface.addPostUp(command);
            case "predown" -> iface.addPreDown(command);
            default -> iface.addPostDown(command);
        }
    }

    /** wg's rules: "off", or decimal, or hex after a lowercase "0x"; 0-0xffffffff; 0 is off. */
    private long fwMark(int n, String v) throws ConfigException {
        if (v.equalsIgnoreCase("off")) return 0;
        long mark = -1;
        if (v.charAt(0) >= '0' && v.charAt(0) <= '9') {
            boolean hex = v.length() > 2 && v.startsWith("0x");
            mark = unsigned(hex ? v.substring(2) : v, hex ? 16 : 10);
        }
        if (mark < 0 || mark > 0xffffffffL) throw error(n, "FwMark: `" + v + "' is neither 0/off nor 0-0xffffffff");
        return mark;
    }

    private int keepalive(int n, String v) throws ConfigException {
        if (v.equalsIgnoreCase("off")) return 0;
        long seconds = v.charAt(0) >= '0' && v.charAt(0) <= '9' ? unsigned(v, 10) : -1;
        if (seconds < 0 || seconds > 65535) throw error(n, "PersistentKeepalive: `" + v + "' is neither 0/off nor 1-65535");
        return (int) seconds;
    }

    /** Digits of the radix only (leading zeros allowed), else -1; values past 2^40 also give -1. */
    private static long unsigned(String digits, int radix) {
        String s = digits.replaceFirst("^0+(?=.)", "");
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> Character.digit(c, radix) >= 0 && c < 128)) return -1;
        return Long.parseLong(s, radix);
    }

    private static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        for (String s : LIST_SEPARATOR.split(value)) {
            if (!s.isEmpty()) out.add(s);
        }
        return out;
    }

    private static String canonical(String lower) {
        return switch (lower) {
            case "privatekey" -> "PrivateKey";
            case "listenport" -> "ListenPort";
            case "fwmark" -> "FwMark";
            case "address" -> "Address";
            case "dns" -> "DNS";
            case "mtu" -> "MTU";
            case "table" -> "Table";
            case "gateway" -> "Gateway";
            case "preup" -> "PreUp";
            case "postup" -> "PostUp";
            case "predown" -> "PreDown";
            case "postdown" -> "PostDown";
            case "saveconfig" -> "SaveConfig";
            case "publickey" -> "PublicKey";
            case "presharedkey" -> "PresharedKey";
            case "allowedips" -> "AllowedIPs";
            case "endpoint" -> "Endpoint";
            case "persistentkeepalive" -> "PersistentKeepalive";
            default -> lower;
        };
    }

    private ConfigException error(int line, String reason) {
        return new ConfigException(source, line, KEY_LIKE.matcher(reason).replaceAll("(hidden: looks like a key)"));
    }

    /**
     * Any base64 run long enough to hold a 32-byte key (43 characters or more, with its padding).
     * Errors quote values, and a value can hold a key that belongs to another line:
     * "ListenPort = 51820\rPrivateKey = ..." with old Mac line ends, or two lines run together, with
     * the key standing alone or glued to other characters (found by ConfigParseFuzzTest).
     */
    private static final Pattern KEY_LIKE = Pattern.compile("[A-Za-z0-9+/]{43,}=*");
}
