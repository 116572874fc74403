package io.jwg.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Lowers the calling thread's scheduling priority to nice 19, for background work that must not
 * delay real work (Java's thread priorities do nothing on Linux by default). Its own bindings, made
 * on first use by the thread that asks, so that LibC's start-up cost does not grow.
 */
@SuppressWarnings("restricted") // FFM downcalls
public final class ThreadNice {
    private static final int PRIO_PROCESS = 0;
    private static final int LOWEST = 19;

    private ThreadNice() {}

    /** setpriority(PRIO_PROCESS, gettid(), 19) for the calling thread; false if that failed. */
    public static boolean lowestForCurrentThread() {
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            MethodHandle gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            MethodHandle setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            int tid = (int) gettid.invokeExact();
            return (int) setpriority.invokeExact(PRIO_PROCESS, tid, LOWEST) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
