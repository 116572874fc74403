package io.jwg.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * wg-quick's {@code Table} setting: where the routes for the peers' AllowedIPs go.
 * <ul>
 *   <li>{@link Auto} (the default, also when the value is empty): the main table, with wg-quick's
 *       fwmark policy routing for default routes ({@code 0.0.0.0/0}, {@code ::/0});
 *   <li>{@link Off}: no routes at all;
 *   <li>{@link Id}: the routing table with that number (0-4294967295);
 *   <li>{@link Named}: a table named in /etc/iproute2/rt_tables, such as {@code main}.
 * </ul>
 * {@code off} and {@code auto} are matched case-insensitively (wg-quick matches them only in lower
 * case and would pass {@code Off} to ip(8) as a table name, which fails). Each kind's
 * {@code toString()} is the value as written in a config file.
 */
public sealed interface RouteTable {
    Auto AUTO = new Auto();
    Off OFF = new Off();

    /**
     * Parses {@code off}, {@code auto} (or empty, which wg-quick treats as auto), a number or a name.
     *
     * @throws IllegalArgumentException "`TEXT' is not off, auto, a table number or a table name"
     */
    static RouteTable parse(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.equalsIgnoreCase("auto")) return AUTO;
        if (s.equalsIgnoreCase("off")) return OFF;
        if (s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            if (s.length() <= 10) {
                long id = Long.parseLong(s);
                if (id <= Id.MAX) return new Id(id);
            }
            throw new IllegalArgumentException("`" + s + "' is out of range for a routing table number (0-" + Id.MAX + ")");
        }
        if (Named.NAME.matcher(s).matches()) return new Named(s);
        throw new IllegalArgumentException("`" + s + "' is not off, auto, a table number or a table name");
    }

    /** The main table, with policy routing for default routes. */
    record Auto() implements RouteTable {
        @Override
        public String toString() {
            return "auto";
        }
    }

    /** No routes are added. */
    record Off() implements RouteTable {
        @Override
        public String toString() {
            return "off";
        }
    }

    /** A routing table by number. */
    record Id(long id) implements RouteTable {
        public static final long MAX = 0xffffffffL;

        public Id {
            if (id < 0 || id > MAX) throw new IllegalArgumentException("a routing table number must be 0-" + MAX + ", not " + id);
        }

        @Override
        public String toString() {
            return Long.toString(id);
        }
    }

    /** A routing table by name (letters, digits, {@code _ . -}; not all digits, not off/auto). */
    record Named(String name) implements RouteTable {
        static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

        public Named {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NAME.matcher(name).matches() || name.chars().allMatch(c -> c >= '0' && c <= '9')
                    || lower.equals("off") || lower.equals("auto")) {
                throw new IllegalArgumentException("`" + name + "' is not a valid routing table name");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
