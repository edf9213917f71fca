package dev.baton.cli;

/** What the {@code baton} command's exit status means; scripts can rely on these numbers. */
public final class ExitCode {
    /** Done; for a rollout: it completed (or the dry run was planned). */
    public static final int OK = 0;
    /** The outcome asked about is a failure: the rollout halted, was aborted or rejected; audit verification failed. */
    public static final int FAILED = 1;
    /** The command line or an input file is wrong; nothing was sent. */
    public static final int USAGE = 2;
    /** The service does not know the cluster, rollout or node named. */
    public static final int NOT_FOUND = 3;
    /** The service refused the request (4xx other than 404), e.g. a field with a bad value. */
    public static final int REJECTED = 4;
    /** The service could not be reached or answered with a server error. */
    public static final int UNAVAILABLE = 5;
    /** Gave up waiting (e.g. {@code watch --timeout}) before the rollout finished. */
    public static final int TIMEOUT = 6;

    private ExitCode() {
    }
}
