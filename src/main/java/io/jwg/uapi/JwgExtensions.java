package io.jwg.uapi;

import io.jwg.device.DropReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * jwg's extension of the UAPI {@code get} operation: extra counters that the stock protocol has no
 * keys for. Documented in {@code docs/uapi-extensions.md}; in short:
 *
 * <pre>
 * request:  get=1\n
 *           jwg_extensions=1\n        (the only line a jwg server accepts between get=1 and the blank line)
 *           \n
 * reply:    the ordinary get=1 reply, plus
 *           jwg_KEY=VALUE lines in the device section (before the first public_key), and
 *           jwg_KEY=VALUE lines at the end of each peer section (after its allowed_ip lines)
 * </pre>
 *
 * Values are unsigned decimal integers. Stock {@code wg} never sends the request line, so it never
 * sees these keys; a plain {@code get=1} reply is byte for byte what it was. wireguard-go (like a
 * jwg server before this extension) rejects the request with {@code errno=-22}, and
 * {@link UapiClient#getExtended} then falls back to a plain {@code get=1}, so a client works
 * against both and simply finds no extension values. Keys a client does not know are ignored, so
 * keys can be added later.
 *
 * <p>Keys (in snapshots they appear without the {@code jwg_} prefix):
 * <ul>
 *   <li>device: {@code jwg_drop_REASON} for every {@link DropReason}: packets the interface dropped
 *       for that reason since it started (peers removed since still count);
 *   <li>peer: {@code jwg_drop_REASON} for every {@link DropReason#peerLevel() peer-level} reason;
 *       {@code jwg_keypair_age_msec}: age of the current session's keypair in milliseconds (absent
 *       without a session).
 * </ul>
 */
public final class JwgExtensions {
    /** The line a client adds after {@code get=1} to ask for the extension keys. */
    public static final String REQUEST_LINE = "jwg_extensions=1";
    /** The prefix of every extension key on the wire. */
    public static final String PREFIX = "jwg_";
    /** Prefix of the drop counters (followed by {@link DropReason#key()}). */
    public static final String DROP = "drop_";
    /** Age of the peer's current keypair, milliseconds. */
    public static final String KEYPAIR_AGE_MSEC = "keypair_age_msec";

    private static final Pattern KEY = Pattern.compile("[a-z0-9_]{1,64}");

    private JwgExtensions() {}

    /** The snapshot key of a drop counter, e.g. {@code drop_replay}. */
    public static String dropKey(DropReason r) {
        return DROP + r.key();
    }

    /** The drop counters among extension values (reasons not reported are absent). */
    public static Map<DropReason, Long> drops(Map<String, Long> extensions) {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            Long v = extensions.get(dropKey(r));
            if (v != null) m.put(r, v);
        }
        return m;
    }

    static boolean isValidKey(String key) {
        return KEY.matcher(key).matches();
    }

    /** An unmodifiable copy that keeps the order; rejects keys that are not {@code [a-z0-9_]{1,64}}. */
    static Map<String, Long> copy(Map<String, Long> extensions) {
        if (extensions == null || extensions.isEmpty()) return Map.of();
        Map<String, Long> m = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : extensions.entrySet()) {
            if (!isValidKey(e.getKey())) throw new IllegalArgumentException("invalid extension key: " + e.getKey());
            m.put(e.getKey(), java.util.Objects.requireNonNull(e.getValue(), "value"));
        }
        return Collections.unmodifiableMap(m);
    }
}
