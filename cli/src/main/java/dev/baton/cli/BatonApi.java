package dev.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.contracts.BatonJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * JSON over HTTP to one Baton service (planner, audit or health), with every failure turned into a
 * {@link CliException} that names the service, the URL and what to do.
 */
public final class BatonApi {
    private static final ObjectMapper JSON = BatonJson.mapper();

    private final HttpClient http;
    private final String service;
    private final String baseUrl;
    private final String urlSetting;

    public BatonApi(HttpClient http, String service, String baseUrl, String urlSetting) {
        this.http = http;
        this.service = service;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.urlSetting = urlSetting;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** GET a path (query parameters with a null value are left out). */
    public JsonNode get(String path, Map<String, ?> query) {
        return send(HttpRequest.newBuilder(uri(path, query)).GET(), "GET " + path);
    }

    public JsonNode get(String path) {
        return get(path, Map.of());
    }

    /** POST a JSON body (an object Jackson can write, or null for an empty body). */
    public JsonNode post(String path, Object body) {
        String json;
        try {
            json = body == null ? "" : JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.USAGE, "cannot write the request body: " + e.getOriginalMessage(), e);
        }
        return send(HttpRequest.newBuilder(uri(path, Map.of())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), "POST " + path);
    }

    /** One query-string parameter map in insertion order, skipping nulls. */
    public static Map<String, Object> query(Object... keyValues) {
        Map<String, Object> query = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                query.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return query;
    }

    /** A path segment, URL-encoded. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private URI uri(String path, Map<String, ?> query) {
        StringJoiner params = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                params.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        try {
            return URI.create(baseUrl + path + params);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "not a valid " + service + " URL: '" + baseUrl + "' (" + urlSetting + ")");
        }
    }

    private JsonNode send(HttpRequest.Builder request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(30)).header("Accept", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unreachable("connection refused or timed out");
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "the " + service + " at " + baseUrl + " did not answer " + what + " within 30 s");
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted");
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status >= 200 && status < 300) {
            return body;
        }
        String error = body != null && body.hasNonNull("error") ? body.get("error").asText() : firstLine(response.body());
        String field = body != null && body.hasNonNull("field") ? " (field " + body.get("field").asText() + ")" : "";
        if (status == 404) {
            throw new CliException(ExitCode.NOT_FOUND, service + ": " + (error.isBlank() ? what + " not found" : error));
        }
        if (status == 405 || status == 501) {
            throw new CliException(ExitCode.UNAVAILABLE, "the " + service + " at " + baseUrl + " does not offer " + what + " (HTTP "
                    + status + ")");
        }
        if (status < 500) {
            throw new CliException(ExitCode.REJECTED, service + " rejected the request: " + error + field);
        }
        throw new CliException(ExitCode.UNAVAILABLE, service + " failed (HTTP " + status + ")" + (error.isBlank() ? "" : ": " + error));
    }

    private CliException unreachable(String why) {
        return new CliException(ExitCode.UNAVAILABLE, "cannot reach the " + service + " at " + baseUrl + " (" + why
                + "); set " + urlSetting + " or --" + service.replace(' ', '-') + "-url");
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException notJson) {
            return null;
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
