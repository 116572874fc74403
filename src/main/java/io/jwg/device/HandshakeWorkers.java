package io.jwg.device;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads that answer handshake initiations, so that a server talking to many peers uses every core
 * for the X25519 work (about four scalar multiplications per initiation), as wireguard-go does with
 * one handshake goroutine per CPU. The protocol state needs no more than it already has: a peer's
 * {@link io.jwg.noise.Tunnel} serialises its handshake methods, the index table is lock-free, and
 * sends go through the device's send lock. Responses and cookie replies (which may flush staged
 * packets in order) stay on the control thread.
 */
final class HandshakeWorkers {
    private static final Logger log = LoggerFactory.getLogger(HandshakeWorkers.class);
    private static final Runnable STOP = () -> {};

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final int threads;
    private final List<Thread> started = new ArrayList<>();

    /** threads: how many (at least 1); -Djwg.handshakeWorkers overrides the default of one per CPU. */
    HandshakeWorkers(int threads) {
        this.threads = Math.max(1, threads);
    }

    static int defaultThreads() {
        return Integer.getInteger("jwg.handshakeWorkers", Runtime.getRuntime().availableProcessors());
    }

    synchronized void start() {
        for (int i = 0; i < threads; i++) {
            started.add(Thread.ofPlatform().name("jwg-handshake-" + i).daemon(true).start(this::run));
        }
        // libsodium's X25519 makes a handshake about twice as cheap as Bouncy Castle's (docs/crypto.md)
        log.debug("{} handshake worker(s), X25519 from {}", threads, io.jwg.crypto.X25519.implementation());
    }

    void submit(Runnable job) {
        queue.add(job);
    }

    private void run() {
        while (true) {
            Runnable job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) return;
            try {
                job.run();
            } catch (RuntimeException e) {
                log.warn("handshake task failed: {}", e.toString(), e);
            }
        }
    }

    /** Stops the threads (jobs still queued are dropped) and waits for them briefly. */
    synchronized void close() {
        queue.clear();
        for (int i = 0; i < started.size(); i++) queue.add(STOP);
        for (Thread t : started) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        started.clear();
    }
}
