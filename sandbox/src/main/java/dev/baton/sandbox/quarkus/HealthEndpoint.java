package dev.baton.sandbox.quarkus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service's SmallRye Health endpoints read as an orchestrator's probe reads them: {@code GET /q/health/live} and
 * {@code GET /q/health/ready}, the HTTP status (200 UP, 503 DOWN) and each check's status and data. Touches no topic.
 *
 * <pre>{@code @TestHTTPResource("/q/health") URI health; ... new HealthEndpoint(health).ready().up()}</pre>
 */
public final class HealthEndpoint {
    /** The readiness check SmallRye Reactive Messaging adds, one data entry per channel ({@code [OK]} or {@code [KO]}). */
    public static final String MESSAGING_READINESS = "SmallRye Reactive Messaging - readiness check";
    /** The liveness check SmallRye Reactive Messaging adds, one data entry per channel. */
    public static final String MESSAGING_LIVENESS = "SmallRye Reactive Messaging - liveness check";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than any check may take (Baton's checks answer within baton.readiness.timeout). */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final URI health;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param health the service's {@code /q/health} URL */
    public HealthEndpoint(URI health) {
        this.health = health;
    }

    /** One check of a report: its name, {@code UP} or {@code DOWN}, and its data as text. */
    public record Check(String name, String status, Map<String, String> data) {
        public boolean up() {
            return "UP".equals(status);
        }
    }

    /** One answer of an endpoint: the HTTP status, the overall status, every check by name, and the body as sent. */
    public record Report(int httpStatus, String status, Map<String, Check> checks, String body) {
        public boolean up() {
            return httpStatus == 200 && "UP".equals(status);
        }

        /** The check of that name; fails (with the whole body) if the report has none. */
        public Check check(String name) {
            Check check = checks.get(name);
            if (check == null) {
                throw new AssertionError("no check '" + name + "' in " + body);
            }
            return check;
        }
    }

    public Report live() {
        return get("live");
    }

    public Report ready() {
        return get("ready");
    }

    private Report get(String which) {
        URI uri = URI.create(health.toString().replaceAll("/+$", "") + "/" + which);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            Map<String, Check> checks = new LinkedHashMap<>();
            for (JsonNode check : body.path("checks")) {
                Map<String, String> data = new LinkedHashMap<>();
                check.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
                String name = check.path("name").asText();
                checks.put(name, new Check(name, check.path("status").asText(), data));
            }
            return new Report(response.statusCode(), body.path("status").asText(), checks, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }
}
