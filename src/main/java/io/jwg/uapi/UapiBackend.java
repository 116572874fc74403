package io.jwg.uapi;

/**
 * What the UAPI needs from a WireGuard device. {@link UapiServer} calls it from one thread per
 * connection; calls are serialised by the server (one request at a time per backend), as
 * wireguard-go serialises them with its IPC mutex.
 */
public interface UapiBackend {
    /** The device's current configuration and peer statistics, for {@code get=1}. */
    DeviceSnapshot snapshot();

    /**
     * The snapshot for a {@code get=1} that asked for jwg's extension keys ({@link JwgExtensions}):
     * with {@code extended}, backends that have extra counters put them in the snapshot's and its
     * peers' {@code extensions}. By default there are none.
     */
    default DeviceSnapshot snapshot(boolean extended) {
        return snapshot();
    }

    /**
     * Applies a validated {@code set=1} request, in the order {@link SetRequest} documents. A change
     * that cannot be made throws with the errno wireguard-go reports for it (for example
     * {@link Errno#EADDRINUSE} when the listen port cannot be bound); changes made before it stay,
     * as in wireguard-go.
     */
    void apply(SetRequest request) throws UapiException;
}
