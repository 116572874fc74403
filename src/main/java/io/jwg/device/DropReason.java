package io.jwg.device;

/**
 * Why the data plane dropped a packet. Each reason has a stable lower-case {@link #key()} used in
 * the UAPI extension ({@code jwg_drop_KEY}), in {@code jwg show --json} and in the Prometheus
 * {@code reason} label.
 *
 * <p>{@link #peerLevel()} reasons are counted on the {@link Peer} the packet belongs to as well as
 * on the {@link Device}; the others can only be counted on the device, since no peer is known.
 */
public enum DropReason {
    /**
     * Failed authentication: an inbound transport message with a bad Poly1305 tag (forged or
     * corrupted), a handshake message with a bad MAC1, or a handshake response that does not verify.
     */
    AUTHENTICATION("authentication", true),
    /** An inbound transport message repeated a counter already seen, or was older than the replay window. */
    REPLAY("replay", true),
    /** A decrypted inner packet's source address is not in the sending peer's AllowedIPs. */
    SOURCE_NOT_ALLOWED("source_not_allowed", true),
    /**
     * No usable session: an inbound message for a keypair that has expired, or outbound packets
     * discarded because no handshake completed (the staging queue overflowed or was given up on).
     */
    NO_KEYPAIR("no_keypair", true),
    /**
     * Unknown peer or receiver index: a transport message, handshake response or cookie reply for a
     * receiver index we do not know, or a handshake initiation that matches no configured peer (or
     * whose timestamp is replayed).
     */
    UNKNOWN_PEER("unknown_peer", false),
    /** An outbound packet's destination is in no peer's AllowedIPs. */
    NO_ROUTE("no_route", false),
    /** Malformed: an unknown message type, a truncated message, or an inner packet that is not valid IPv4/IPv6. */
    MALFORMED("malformed", false);

    private static final DropReason[] VALUES = values();

    private final String key;
    private final boolean peerLevel;

    DropReason(String key, boolean peerLevel) {
        this.key = key;
        this.peerLevel = peerLevel;
    }

    /** The stable lower-case name, e.g. {@code source_not_allowed}. */
    public String key() {
        return key;
    }

    /** True if drops for this reason are attributed to a peer too. */
    public boolean peerLevel() {
        return peerLevel;
    }

    /** The reason with this {@link #key()}, or null. */
    public static DropReason ofKey(String key) {
        for (DropReason r : VALUES) if (r.key.equals(key)) return r;
        return null;
    }

    static int count() {
        return VALUES.length;
    }

    static DropReason at(int ordinal) {
        return VALUES[ordinal];
    }
}
