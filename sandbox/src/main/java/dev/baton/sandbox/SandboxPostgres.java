package dev.baton.sandbox;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server for tests and the demo (audit-service's store); {@link #newDatabase(String)} gives each
 * test a database of its own. Touches no topics.
 *
 * <p>{@link #shared()} picks the server once per JVM: the one named by {@value #URL_SETTING} (with
 * {@value #USER_SETTING} and {@value #PASSWORD_SETTING}; system property or environment variable) if set, else a
 * Testcontainers PostgreSQL if a Docker engine answers, else PostgreSQL 17 from embedded binaries shipped as a Maven
 * artifact. A server the sandbox started is stopped by {@link #close()} or, for the shared one, when the JVM exits.
 */
public final class SandboxPostgres implements AutoCloseable {
    /** Setting naming an external server's JDBC URL ({@code jdbc:postgresql://host:port/database}). */
    public static final String URL_SETTING = "BATON_POSTGRES_URL";
    /** Setting naming the external server's user (default {@code postgres}). */
    public static final String USER_SETTING = "BATON_POSTGRES_USER";
    /** Setting naming the external server's password (default empty). */
    public static final String PASSWORD_SETTING = "BATON_POSTGRES_PASSWORD";

    private static final String JDBC_PREFIX = "jdbc:postgresql://";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final int MAX_NAME = 63 - 9; // PostgreSQL identifiers hold 63 bytes; 9 go to "_" + suffix
    private static final Logger LOG = LoggerFactory.getLogger(SandboxPostgres.class);
    private static SandboxPostgres shared;

    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final SandboxSource source;
    private final AutoCloseable server;
    private boolean closed;

    private SandboxPostgres(String jdbcUrl, String username, String password, SandboxSource source, AutoCloseable server) {
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.source = source;
        this.server = server;
    }

    /** The server shared by this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized SandboxPostgres shared() {
        if (shared == null) {
            SandboxPostgres postgres = start();
            LOG.info("Sandbox PostgreSQL: {}", postgres);
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "baton-sandbox-postgres-stop"));
            shared = postgres;
        }
        return shared;
    }

    /** A server of its own (not shared), chosen like {@link #shared()}. The caller closes it. */
    public static SandboxPostgres start() {
        SandboxSource source = SandboxSource.choose(URL_SETTING);
        return switch (source) {
            case EXTERNAL -> external();
            case CONTAINER -> startContainer();
            case EMBEDDED -> startEmbedded();
        };
    }

    /** PostgreSQL 17 from the embedded binaries, in a temporary data directory. The caller closes it. */
    public static SandboxPostgres startEmbedded() {
        QuietLogs.apply();
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
            return new SandboxPostgres(JDBC_PREFIX + "localhost:" + postgres.getPort() + "/postgres",
                    "postgres", "postgres", SandboxSource.EMBEDDED, postgres);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static SandboxPostgres startContainer() {
        QuietLogs.apply();
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
        try {
            container.start();
            return new SandboxPostgres(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    SandboxSource.CONTAINER, container::stop);
        } catch (RuntimeException e) {
            container.stop();
            throw new IllegalStateException("Could not start the PostgreSQL container: " + e.getMessage(), e);
        }
    }

    private static SandboxPostgres external() {
        String url = SandboxSource.setting(URL_SETTING);
        if (!url.startsWith(JDBC_PREFIX)) {
            throw new IllegalArgumentException(URL_SETTING + " must be a JDBC URL starting with " + JDBC_PREFIX
                    + ", e.g. jdbc:postgresql://localhost:5432/postgres");
        }
        String user = SandboxSource.setting(USER_SETTING);
        String password = SandboxSource.setting(PASSWORD_SETTING);
        return new SandboxPostgres(url, user == null ? "postgres" : user, password == null ? "" : password,
                SandboxSource.EXTERNAL, () -> {
                });
    }

    /** JDBC URL of the server's default database. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** Where this server came from. */
    public SandboxSource source() {
        return source;
    }

    /**
     * Creates a fresh, empty database named {@code name} plus a unique suffix (so tests never share one) and returns
     * its JDBC URL. {@code name} is lower-cased and must then be a plain SQL identifier (letters, digits, '_').
     */
    public String newDatabase(String name) {
        String database = uniqueDatabaseName(name);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, username, password);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + database + " on " + jdbcUrl
                    + " (does user " + username + " have CREATEDB?): " + e.getMessage(), e);
        }
        return withDatabase(jdbcUrl, database);
    }

    /** Stops the server if this sandbox started it; an external server is left running. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (Exception e) {
            LOG.warn("Could not stop the sandbox PostgreSQL cleanly: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "SandboxPostgres[" + source + " " + jdbcUrl + "]";
    }

    /** {@code name} lower-cased, checked, shortened to fit, plus {@code _} and eight random hex digits. */
    static String uniqueDatabaseName(String name) {
        String base = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (!DATABASE_NAME.matcher(base).matches()) {
            throw new IllegalArgumentException("Database name '" + name
                    + "' must start with a letter or '_' and hold only letters, digits and '_'");
        }
        if (base.length() > MAX_NAME) {
            base = base.substring(0, MAX_NAME);
        }
        return base + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code jdbcUrl} with its database replaced by {@code database}; query parameters are kept. */
    static String withDatabase(String jdbcUrl, String database) {
        if (!jdbcUrl.startsWith(JDBC_PREFIX)) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + jdbcUrl);
        }
        int query = jdbcUrl.indexOf('?');
        String params = query < 0 ? "" : jdbcUrl.substring(query);
        String withoutParams = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
        int slash = withoutParams.indexOf('/', JDBC_PREFIX.length());
        String hosts = slash < 0 ? withoutParams : withoutParams.substring(0, slash);
        return hosts + "/" + database + params;
    }
}
