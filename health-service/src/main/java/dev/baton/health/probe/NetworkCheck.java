package dev.baton.health.probe;

import dev.baton.procedure.HealthProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Runs a procedure's TCP or HTTP check ({@link HealthProbe.Check}) against a node's SSH host address, from the health
 * service itself (not over SSH). Returns null when the check passed, else a one-line reason. Touches no topic.
 */
public final class NetworkCheck {
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** Null when the check passed, else why it did not, within {@code timeout}. */
    public String problem(HealthProbe.Check check, String host, Duration timeout) {
        return check.kind() == HealthProbe.Check.Kind.TCP ? tcp(check, host, timeout) : http(check, host, timeout);
    }

    private static String tcp(HealthProbe.Check check, String host, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, check.port()), (int) Math.max(1, timeout.toMillis()));
            return null;
        } catch (IOException e) {
            return "tcp " + host + ":" + check.port() + ": " + e.getMessage();
        }
    }

    private String http(HealthProbe.Check check, String host, Duration timeout) {
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        URI uri = URI.create("http://" + hostPart + ":" + check.port() + check.path());
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == check.expectStatus() ? null
                    : "GET " + uri + " answered " + response.statusCode() + ", expected " + check.expectStatus();
        } catch (IOException e) {
            return "GET " + uri + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "GET " + uri + ": interrupted";
        }
    }
}
