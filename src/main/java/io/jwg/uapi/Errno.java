package io.jwg.uapi;

/**
 * The errno values the UAPI replies with, as wireguard-go's {@code ipc} package defines them (Linux
 * numbers). On the wire they are negated: {@code errno=-22} is EINVAL; {@code errno=0} is success.
 */
public final class Errno {
    private Errno() {}

    /** EIO: a read or write on the socket failed, or a request was too large to read. */
    public static final int EIO = 5;
    /** EINVAL: a malformed value, an unknown key, or a peer that cannot be created. */
    public static final int EINVAL = 22;
    /** ENOANO: wireguard-go's "unknown" error, for anything unexpected (a bug in a backend). */
    public static final int ENOANO = 55;
    /** EPROTO: a line that is not {@code key=value}. */
    public static final int EPROTO = 71;
    /** EADDRINUSE: the listen port (or fwmark) could not be applied to the socket. */
    public static final int EADDRINUSE = 98;

    /** The C library's message for the errno values the UAPI and its clients meet (as strerror). */
    public static String message(int errno) {
        return switch (Math.abs(errno)) {
            case 0 -> "Success";
            case 1 -> "Operation not permitted";
            case 2 -> "No such file or directory";
            case EIO -> "Input/output error";
            case 9 -> "Bad file descriptor";
            case 13 -> "Permission denied";
            case 19 -> "No such device";
            case EINVAL -> "Invalid argument";
            case ENOANO -> "No anode";
            case EPROTO -> "Protocol error";
            case EADDRINUSE -> "Address already in use";
            case 104 -> "Connection reset by peer";
            case 111 -> "Connection refused";
            default -> "Unknown error " + Math.abs(errno);
        };
    }
}
