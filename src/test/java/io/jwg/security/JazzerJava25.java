package io.jwg.security;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * Lets Jazzer 0.24 instrument jwg's classes. Its bundled ASM reads class files up to Java 23
 * (major version 67), while jwg is compiled for Java 25 (69): without help, Jazzer logs "Unsupported
 * class file major version 69" for every class and fuzzes blind (no coverage feedback). This
 * installs, before Jazzer's own agent, a transformer that relabels {@code io/jwg/} class files as
 * version 67 so that Jazzer's transformer (which runs after it) can read and instrument them. jwg's
 * bytecode uses nothing newer than Java 21 features, so the relabelled classes verify and run
 * unchanged. Only the test JVM is affected; nothing in src/main is touched.
 */
final class JazzerJava25 {
    private static final int ASM_MAX_MAJOR = 67;
    private static volatile boolean installed;

    private JazzerJava25() {}

    /** Installs the relabelling transformer once per JVM (call from a static initialiser of each fuzz test). */
    static synchronized void install() {
        if (installed) return;
        installed = true;
        // coverage and hooks for jwg's own code only: instrumenting Bouncy Castle and the JDK costs
        // speed, adds no useful feedback, and the JDK's classes (version 69) cannot be read anyway.
        // Jazzer reads these as JUnit configuration parameters, which fall back to system properties.
        if (System.getProperty("jazzer.instrumentation_includes") == null) System.setProperty("jazzer.instrumentation_includes", "io.jwg.**");
        if (System.getProperty("jazzer.custom_hook_includes") == null) System.setProperty("jazzer.custom_hook_includes", "io.jwg.**");
        String fuzz = System.getenv("JAZZER_FUZZ");
        if ((fuzz == null || fuzz.isEmpty()) && System.getProperty("jazzer.hooks") == null) {
            // regression mode (plain `mvn test`) only replays the seeds: no instrumentation needed,
            // which saves the agent's ~15 s of class rewriting
            System.setProperty("jazzer.hooks", "false");
        }
        Instrumentation inst;
        try {
            inst = com.code_intelligence.jazzer.third_party.net.bytebuddy.agent.ByteBuddyAgent.install();
        } catch (RuntimeException | LinkageError e) {
            System.err.println("JazzerJava25: no instrumentation (" + e + "); fuzzing without coverage of jwg classes");
            return;
        }
        inst.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                    ProtectionDomain pd, byte[] b) {
                if (name == null || !name.startsWith("io/jwg/") || b.length < 8) return null;
                int major = ((b[6] & 0xff) << 8) | (b[7] & 0xff);
                if (major <= ASM_MAX_MAJOR) return null;
                byte[] out = b.clone();
                out[6] = (byte) (ASM_MAX_MAJOR >>> 8);
                out[7] = (byte) ASM_MAX_MAJOR;
                return out;
            }
        }, true);
        // classes loaded before this point (e.g. the test class itself) are relabelled when Jazzer
        // retransforms them; later ones as they load
    }
}
