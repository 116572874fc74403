package io.jwg.quick;

import io.jwg.device.Device;
import io.jwg.net.LinuxUdp;
import io.jwg.os.LibC;
import io.jwg.tun.LinuxTun;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts, on background threads, the two costliest parts of bringing an interface up, so that on a
 * machine with two or more cores they overlap with reading the config, the logging set-up and the
 * first `ip` commands: the FFM bindings to libc (~0.25 s of CPU, mostly generating the downcall
 * stubs) and then the JIT warm-up of the handshake (see {@link io.jwg.noise.Warmup}). Optional, once per
 * JVM; this class has no logger, so calling it early does not wait for the logging set-up.
 */
public final class Preload {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private Preload() {}

    public static void start() {
        if (!STARTED.compareAndSet(false, true)) return;
        Thread.ofPlatform().name("jwg-preload").daemon(true).start(() -> {
            try {
                for (Class<?> c : List.of(LibC.class, LinuxTun.class, LinuxUdp.class)) {
                    Class.forName(c.getName(), true, c.getClassLoader());
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // bringing the interface up fails with the same error when it needs them, and reports it
            }
            // then, not at the same time: the bindings are on the way to a usable interface, and on
            // two cores the warm-up and the JIT compiling it would take half their CPU time
            Device.startWarmup();
        });
    }
}
