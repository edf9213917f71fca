package dev.baton.executor.ssh;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code limit} bytes of a command's output (stdout and stderr interleaved as they arrive),
 * so a chatty command cannot fill memory or a Kafka record. Thread-safe: stdout and stderr pumps share one.
 */
public final class OutputTail {
    /** 4 KiB: the most output a step result carries. */
    public static final int DEFAULT_LIMIT = 4096;

    private final byte[] ring;
    private long written;

    public OutputTail() {
        this(DEFAULT_LIMIT);
    }

    public OutputTail(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.ring = new byte[limit];
    }

    /** The last {@link #DEFAULT_LIMIT} bytes of {@code text}, cut on a character boundary. */
    public static String of(String text) {
        if (text == null) {
            return null;
        }
        OutputTail tail = new OutputTail();
        tail.append(text.getBytes(StandardCharsets.UTF_8));
        return tail.text();
    }

    public void append(byte[] bytes) {
        append(bytes, 0, bytes.length);
    }

    public synchronized void append(byte[] bytes, int offset, int length) {
        int limit = ring.length;
        if (length >= limit) {
            // only the last `limit` bytes can survive; the ones before them still count as seen
            written += length - limit;
            offset += length - limit;
            length = limit;
        }
        int start = (int) (written % limit);
        int first = Math.min(length, limit - start);
        System.arraycopy(bytes, offset, ring, start, first);
        System.arraycopy(bytes, offset + first, ring, 0, length - first);
        written += length;
    }

    /** How many bytes were appended in all. */
    public synchronized long bytesSeen() {
        return written;
    }

    /** The kept bytes as UTF-8 text; a character cut in half at the start is dropped. */
    public synchronized String text() {
        int limit = ring.length;
        byte[] kept;
        if (written <= limit) {
            kept = new byte[(int) written];
            System.arraycopy(ring, 0, kept, 0, kept.length);
            return new String(kept, StandardCharsets.UTF_8);
        }
        kept = new byte[limit];
        int start = (int) (written % limit);
        System.arraycopy(ring, start, kept, 0, limit - start);
        System.arraycopy(ring, 0, kept, limit - start, start);
        int skip = 0;
        while (skip < kept.length && (kept[skip] & 0xC0) == 0x80) {
            skip++; // UTF-8 continuation byte of a character whose start was dropped
        }
        return new String(kept, skip, kept.length - skip, StandardCharsets.UTF_8);
    }
}
