package io.jwg.noise;

/** Little-endian field access and the offsets of each message's fields. */
public final class Messages {
    private Messages() {}

    // handshake initiation
    public static final int INIT_SENDER = 4;
    public static final int INIT_EPHEMERAL = 8;
    public static final int INIT_STATIC = 40;
    public static final int INIT_TIMESTAMP = 88;
    public static final int INIT_MAC1 = 116;
    public static final int INIT_MAC2 = 132;
    // handshake response
    public static final int RESP_SENDER = 4;
    public static final int RESP_RECEIVER = 8;
    public static final int RESP_EPHEMERAL = 12;
    public static final int RESP_EMPTY = 44;
    public static final int RESP_MAC1 = 60;
    public static final int RESP_MAC2 = 76;
    // cookie reply
    public static final int COOKIE_RECEIVER = 4;
    public static final int COOKIE_NONCE = 8;
    public static final int COOKIE_ENCRYPTED = 32;
    // transport
    public static final int DATA_RECEIVER = 4;
    public static final int DATA_COUNTER = 8;
    public static final int DATA_PAYLOAD = 16;

    /**
     * The message type of a datagram when its first four bytes are a known type with zero reserved
     * bytes and its length fits that type; 0 otherwise.
     */
    public static int typeOf(byte[] b, int off, int len) {
        if (len < 4 || b[off + 1] != 0 || b[off + 2] != 0 || b[off + 3] != 0) return 0;
        int type = b[off];
        return switch (type) {
            case Constants.TYPE_INITIATION -> len == Constants.INITIATION_SIZE ? type : 0;
            case Constants.TYPE_RESPONSE -> len == Constants.RESPONSE_SIZE ? type : 0;
            case Constants.TYPE_COOKIE_REPLY -> len == Constants.COOKIE_REPLY_SIZE ? type : 0;
            case Constants.TYPE_TRANSPORT -> len >= Constants.TRANSPORT_MIN_SIZE ? type : 0;
            default -> 0;
        };
    }

    public static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static long getLong(byte[] b, int off) {
        return (getInt(b, off) & 0xffffffffL) | ((long) getInt(b, off + 4) << 32);
    }

    public static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) v);
        putInt(b, off + 4, (int) (v >>> 32));
    }

    /** Writes a message's type byte and three zero reserved bytes. */
    public static void putType(byte[] b, int off, int type) {
        b[off] = (byte) type;
        b[off + 1] = 0;
        b[off + 2] = 0;
        b[off + 3] = 0;
    }

    static byte[] slice(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }
}
