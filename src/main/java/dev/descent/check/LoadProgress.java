package dev.descent.check;

/**
 * What a data file's loading reports as it goes, for a progress bar: the file and its
 * size, then the bytes read so far (non-decreasing, after every buffer), then the end
 * (also when the file turns out to be malformed, so that a bar can clear its line
 * before the diagnostic is printed). The CLI supplies one through
 * {@link Checker.Options#progress}; by default nothing listens ({@link #NONE}).
 */
public interface LoadProgress {
    /** Listens to nothing. */
    LoadProgress NONE = new LoadProgress() {};

    /** A file of {@code size} bytes, named {@code file} as the script wrote it, starts loading. */
    default void start(String file, long size) {}

    /** {@code bytes} of the file have been read so far. */
    default void read(long bytes) {}

    /** The file is loaded, or failed to load. */
    default void finish() {}
}
