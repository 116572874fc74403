package io.jwg.noise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test
    void acceptsEachCounterOnceInAnyOrderWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.accept(0)).isTrue();
        assertThat(w.accept(0)).isFalse();
        assertThat(w.accept(5)).isTrue();
        assertThat(w.accept(3)).isTrue();
        assertThat(w.accept(3)).isFalse();
        assertThat(w.accept(2000)).isTrue();
        assertThat(w.accept(2000 - ReplayWindow.WINDOW_SIZE)).isTrue();
        assertThat(w.accept(2000 - ReplayWindow.WINDOW_SIZE - 1)).isFalse(); // too old
        assertThat(w.mayAccept(1)).isFalse();
    }

    @Test
    void preCheckRefusesSeenCountersButNotNewOnes() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.mayAccept(0)).isTrue();
        assertThat(w.accept(0)).isTrue();
        assertThat(w.mayAccept(0)).isFalse();
        assertThat(w.accept(100)).isTrue();
        assertThat(w.mayAccept(100)).isFalse();
        assertThat(w.mayAccept(99)).isTrue(); // inside the window, not seen yet
        assertThat(w.mayAccept(101)).isTrue();
        assertThat(w.mayAccept(99)).isTrue(); // the pre-check records nothing
    }

    @Test
    void rejectsCountersAtTheMessageLimit() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.accept(Constants.REJECT_AFTER_MESSAGES)).isFalse();
        assertThat(w.accept(-1L)).isFalse();
        assertThat(w.accept(Constants.REJECT_AFTER_MESSAGES - 1)).isTrue();
    }

    @Test
    void matchesANaiveModelOnRandomTraffic() {
        ReplayWindow w = new ReplayWindow();
        BitSet seen = new BitSet();
        long max = -1;
        Random r = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            long c = Math.max(0, max + r.nextInt(300) - 250);
            boolean tooOld = max >= 0 && max - c > ReplayWindow.WINDOW_SIZE;
            boolean expected = !tooOld && !seen.get((int) c);
            assertThat(w.mayAccept(c)).as("pre-check of counter %d (max %d)", c, max).isEqualTo(expected);
            assertThat(w.accept(c)).as("counter %d (max %d)", c, max).isEqualTo(expected);
            if (expected) {
                seen.set((int) c);
                max = Math.max(max, c);
            }
        }
    }
}
