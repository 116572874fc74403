package io.jwg.config;

import java.util.Locale;
import java.util.Optional;

/**
 * jwg's {@code Gateway} setting in [Interface] (not a wg-quick key): this interface is a gateway for its
 * peers, forwarding their traffic to the rest of the network through an uplink interface and
 * masquerading it there (see docs/gateway.md).
 * <ul>
 *   <li>{@code Gateway = eth0}: {@link Uplink}, that interface;
 *   <li>{@code Gateway = auto}: {@link Auto}, the interface of the default route when the tunnel comes up;
 *   <li>{@code Gateway = off}, or an empty value: no gateway (the default).
 * </ul>
 * {@code auto} and {@code off} are matched case-insensitively.
 */
public sealed interface Gateway {
    Auto AUTO = new Auto();

    /**
     * Parses a value: empty for {@code off} or an empty value.
     *
     * @throws IllegalArgumentException "`TEXT' is not off, auto or a network interface name (...)"
     */
    static Optional<Gateway> parse(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.equalsIgnoreCase("off")) return Optional.empty();
        if (s.equalsIgnoreCase("auto")) return Optional.of(AUTO);
        try {
            return Optional.of(new Uplink(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("`" + printable(s) + "' is not off, auto or a network interface name (" + e.getMessage() + ")");
        }
    }

    /** The uplink is the interface of the default route (IPv4, else IPv6) at the time the tunnel comes up. */
    record Auto() implements Gateway {
        @Override
        public String toString() {
            return "auto";
        }
    }

    /** The uplink is this interface. */
    record Uplink(String ifname) implements Gateway {
        public Uplink {
            InterfaceName.validate(ifname);
            String lower = ifname.toLowerCase(Locale.ROOT);
            if (lower.equals("auto") || lower.equals("off")) {
                throw new IllegalArgumentException("`" + ifname + "' cannot be named as an uplink");
            }
        }

        @Override
        public String toString() {
            return ifname;
        }
    }

    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
