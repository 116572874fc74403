package io.jwg.uapi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A backend that records what it is asked to apply and reports a settable snapshot. */
final class FakeBackend implements UapiBackend {
    final List<SetRequest> applied = new CopyOnWriteArrayList<>();
    volatile DeviceSnapshot snapshot = new DeviceSnapshot(null, 0, 0, List.of());
    volatile UapiException failApply;
    volatile RuntimeException crash;

    @Override
    public DeviceSnapshot snapshot() {
        RuntimeException c = crash;
        if (c != null) throw c;
        return snapshot;
    }

    @Override
    public void apply(SetRequest request) throws UapiException {
        RuntimeException c = crash;
        if (c != null) throw c;
        UapiException f = failApply;
        if (f != null) throw f;
        applied.add(request);
    }
}
