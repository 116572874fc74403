package io.jwg.uapi;

/**
 * A failed UAPI request, carrying the errno the reply reports ({@code errno=-N}). Thrown by the
 * protocol parser for malformed input and by a {@link UapiBackend} that cannot apply a change.
 */
public final class UapiException extends Exception {
    private final int errno;

    /**
     * @param errno a positive errno value from {@link Errno} (the reply negates it)
     * @param message what went wrong, for logs; never key material
     */
    public UapiException(int errno, String message) {
        super(message);
        if (errno <= 0) throw new IllegalArgumentException("errno must be positive: " + errno);
        this.errno = errno;
    }

    public UapiException(int errno, String message, Throwable cause) {
        this(errno, message);
        initCause(cause);
    }

    /** The positive errno value; the reply line is {@code errno=-}{@code errno()}. */
    public int errno() {
        return errno;
    }
}
