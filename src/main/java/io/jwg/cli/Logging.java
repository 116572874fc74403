package io.jwg.cli;

/**
 * Configures slf4j-simple before the first logger exists: quiet by default (info to stdout), debug
 * with -v. Never logs keys or packet contents (the code does not pass them to loggers).
 */
final class Logging {
    private static volatile boolean configured;

    private Logging() {}

    static void configure(boolean verbose) {
        if (configured && !verbose) return;
        configured = true;
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.out");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "info");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
    }
}
