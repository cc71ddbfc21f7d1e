// POS integrations in Java 17, as integrators write them: java.net.http.HttpClient
// (default, which offers h2c; HTTP/1.1; expectContinue), HttpURLConnection, and
// Jackson's ObjectMapper with its default settings binding the answer to the
// guide's four fields (an unknown fifth key throws UnrecognizedPropertyException).
// Usage: Clients <mode> <url> <payload file> <timeout s>; prints one JSON line.
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

public class Clients {
  /** The guide's answer: exactly these four fields. */
  public static class WebhookResponse {
    public String status;
    public String event_id;
    public String message;
    public String received_at;
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String url = args[1];
    byte[] body = Files.readAllBytes(Path.of(args[2]));
    int timeout = Integer.parseInt(args[3]);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sent_b64", Base64.getEncoder().encodeToString(body));
    try {
      switch (mode) {
        case "default", "http11", "expect" -> {
          HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeout));
          if (mode.equals("http11")) client.version(HttpClient.Version.HTTP_1_1);
          HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(timeout))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
          if (mode.equals("expect")) req.expectContinue(true);
          HttpResponse<byte[]> res = client.build().send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
          out.put("status", res.statusCode());
          out.put("version", res.version().toString());
          out.put("answer_b64", Base64.getEncoder().encodeToString(res.body()));
          out.put("warnings", res.headers().firstValue("X-Relay-Warnings").orElse(null));
        }
        case "urlconnection", "jackson" -> {
          HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
          c.setConnectTimeout(timeout * 1000);
          c.setReadTimeout(timeout * 1000);
          c.setRequestMethod("POST");
          c.setDoOutput(true);
          c.setRequestProperty("Content-Type", "application/json");
          try (OutputStream os = c.getOutputStream()) {
            os.write(body);
          }
          out.put("status", c.getResponseCode());
          out.put("warnings", c.getHeaderField("X-Relay-Warnings"));
          try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
            byte[] answer = in.readAllBytes();
            out.put("answer_b64", Base64.getEncoder().encodeToString(answer));
            if (mode.equals("jackson")) {
              WebhookResponse r = new ObjectMapper().readValue(answer, WebhookResponse.class);
              out.put("bound", r.status + " " + r.event_id + " " + r.message + " " + r.received_at);
            }
          }
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
    } catch (HttpTimeoutException e) {
      out.put("error", "HttpTimeoutException");
    } catch (Exception e) {
      out.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    System.out.println(new ObjectMapper().writeValueAsString(out));
  }
}
