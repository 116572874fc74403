package io.jwg.config;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * WireGuard interface names as wg-quick allows them: 1-15 characters from {@code [a-zA-Z0-9_=+.-]}
 * (wg-quick's regex; Linux's IFNAMSIZ is 16 with the NUL). jwg also rejects {@code .} and
 * {@code ..}, which the regex lets through but Linux refuses.
 */
public final class InterfaceName {
    /** The longest interface name. */
    public static final int MAX_LENGTH = 15;

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_=+.-]{1," + MAX_LENGTH + "}");

    private InterfaceName() {}

    /**
     * Returns {@code name} if it is a valid interface name.
     *
     * @throws IllegalArgumentException saying what is wrong, for example
     *     "Interface name `wg/0' contains `/'; only letters, digits and _=+.- are allowed"
     */
    public static String validate(String name) {
        if (name.isEmpty()) throw new IllegalArgumentException("Interface name is empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!allowed(c)) {
                String shown = c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c);
                throw new IllegalArgumentException("Interface name `" + printable(name) + "' contains `" + shown
                        + "'; only letters, digits and _=+.- are allowed");
            }
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Interface name `" + name + "' is longer than " + MAX_LENGTH + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("Interface name `" + name + "' is not allowed");
        }
        return name;
    }

    /** True if {@link #validate} accepts {@code name}. */
    public static boolean isValid(String name) {
        return NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /**
     * The interface name of a config file: its file name without {@code .conf} ({@code
     * /etc/wireguard/wg0.conf} → {@code wg0}).
     *
     * @throws IllegalArgumentException "The config file must be a valid interface name, followed by
     *     .conf: `PATH'" and, if the name part is the problem, why
     */
    public static String interfaceNameOf(Path configFile) {
        Path fileName = configFile.getFileName();
        String base = fileName == null ? "" : fileName.toString();
        String prefix = "The config file must be a valid interface name, followed by .conf: `" + printable(configFile.toString()) + "'";
        if (!base.endsWith(".conf")) throw new IllegalArgumentException(prefix);
        String name = base.substring(0, base.length() - ".conf".length());
        try {
            return validate(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + " (" + e.getMessage() + ")", e);
        }
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '=' || c == '+' || c == '.' || c == '-';
    }

    private static String printable(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? s.replaceAll("\\p{Cntrl}", "?") : s;
    }
}
