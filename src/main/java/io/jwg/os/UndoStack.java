package io.jwg.os;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps that undo a setup, run in reverse order of setup. Running them never throws: a failing
 * step is logged and the others still run, so teardown always goes as far as it can.
 */
public final class UndoStack {
    private static final Logger log = LoggerFactory.getLogger(UndoStack.class);
    private final String what;
    private final List<Runnable> steps = new ArrayList<>();

    /** @param what names the setup in log messages, e.g. "gateway" */
    public UndoStack(String what) {
        this.what = what;
    }

    public void add(Runnable step) {
        steps.add(step);
    }

    /** Runs every step, last added first, then forgets them. */
    public void runAll() {
        for (int i = steps.size() - 1; i >= 0; i--) {
            try {
                steps.get(i).run();
            } catch (RuntimeException e) {
                log.warn("{} teardown step failed: {}", what, e.toString());
            }
        }
        steps.clear();
    }
}
