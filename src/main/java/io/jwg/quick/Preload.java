package io.jwg.quick;

import io.jwg.device.Device;
import io.jwg.net.LinuxUdp;
import io.jwg.os.LibC;
import io.jwg.tun.LinuxTun;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts, on a background thread, the costliest parts of bringing an interface up and of its
 * first packet, so that on a machine with two or more cores they overlap with reading the config,
 * the logging set-up and the first `ip` commands: the FFM bindings to libc (~0.25 s of CPU, mostly
 * generating the downcall stubs) and then a few datagrams over the loopback through the device's UDP
 * code (LinuxUdp.warmUp); beside them, on its own thread, the JIT warm-up of the handshake (io.jwg.noise.Warmup).
 * Optional, once per JVM; -Djwg.warmup.ms=0 leaves out the warm-ups. This class has no logger, so
 * calling it early does not wait for the logging set-up.
 */
public final class Preload {
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Round trips (initiation-sized there, response-sized back) of the loopback UDP warm-up. */
    static final int UDP_ROUNDS = 64;

    private Preload() {}

    public static void start() {
        if (!STARTED.compareAndSet(false, true)) return;
        // the handshake warm-up at once and beside the bindings: measured, the first packet after
        // start-up is faster this way, and the interface is not ready later
        Device.startWarmup(true);
        Thread.ofPlatform().name("jwg-preload").daemon(true).start(() -> {
            try {
                for (Class<?> c : List.of(LibC.class, LinuxTun.class, LinuxUdp.class)) {
                    Class.forName(c.getName(), true, c.getClassLoader());
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // bringing the interface up fails with the same error when it needs them, and reports it
            }
            if (Long.getLong("jwg.warmup.ms", 400) <= 0) return;
            LinuxUdp.warmUp(UDP_ROUNDS);
        });
    }
}
