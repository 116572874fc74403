package io.jwg.api;

import io.jwg.device.Device;
import io.jwg.quick.QuickInterface;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.SetRequest;
import io.jwg.uapi.UapiException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A tunnel with an OS network interface, brought up as {@code wg-quick up} does: TUN device,
 * addresses, MTU, routes, hooks, and a UAPI socket so that {@code wg} and {@code jwg show} see it.
 * {@link #close()} undoes all of it (and, with SaveConfig, first writes the running configuration
 * back to the file given to {@link #saveConfigTo}). This is what {@code jwg up} runs.
 */
public final class SystemTunnel extends Tunnel {
    private final QuickInterface quick;

    private SystemTunnel(QuickInterface quick) {
        super(quick.name());
        this.quick = quick;
    }

    static SystemTunnel start(TunnelConfig config, Path keyLog) throws IOException {
        return new SystemTunnel(QuickInterface.up(config.name(), config.config(), keyLog));
    }

    /** With {@code SaveConfig = true} in the configuration, the file the running configuration is written to on close. */
    public void saveConfigTo(Path file) {
        quick.saveConfigTo(file);
    }

    /** Runs {@code action} (once, on another thread) if the interface is deleted from outside, e.g. {@code ip link delete}. */
    public void onInterfaceGone(Runnable action) {
        quick.onInterfaceGone(action);
    }

    /** The interface's UAPI socket. */
    public Path uapiSocket() {
        return quick.uapi().socketPath();
    }

    @Override
    public void close() {
        quick.close();
    }

    @Override
    Device device() {
        return quick.device();
    }

    @Override
    DeviceSnapshot snapshot() {
        return quick.uapi().snapshot(true);
    }

    @Override
    void apply(SetRequest request) throws UapiException {
        quick.uapi().apply(request);
    }
}
