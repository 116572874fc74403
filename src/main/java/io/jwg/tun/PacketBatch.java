package io.jwg.tun;

/**
 * An ordered batch of IP packets to inject with {@link Tun#write(PacketBatch)}: references to
 * {@code buffer[offset..offset+length)} slices, no copies. Reused from batch to batch, so filling it
 * allocates nothing.
 */
public final class PacketBatch {
    final byte[][] buffers;
    final int[] offsets;
    final int[] lengths;
    int size;

    public PacketBatch(int capacity) {
        buffers = new byte[capacity][];
        offsets = new int[capacity];
        lengths = new int[capacity];
    }

    /** Appends a packet; returns false (and adds nothing) when the batch is full. */
    public boolean add(byte[] buffer, int offset, int length) {
        if (size == buffers.length) return false;
        buffers[size] = buffer;
        offsets[size] = offset;
        lengths[size] = length;
        size++;
        return true;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return buffers.length;
    }

    /** Empties the batch and drops the references to the buffers. */
    public void clear() {
        java.util.Arrays.fill(buffers, 0, size, null);
        size = 0;
    }
}
