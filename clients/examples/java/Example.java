// Sign a SOAP envelope with ehealth-agent from Java 11+ (java.net.http), no libraries.
//
//   java Example.java [envelope.xml] > signed.xml
//
// EHAGENT_DISCOVERY_FILE   the agent's discovery file (default: the per-user one, see README.md)
// EHAGENT_CREDENTIAL_FILE  the credential to use (default: the one the discovery file names)

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class Example {
    static final String SAMPLE = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:be:fgov:ehealth:test:v1">
          <soapenv:Body>
            <urn:ConsultRequest><urn:Item>example from Java</urn:Item></urn:ConsultRequest>
          </soapenv:Body>
        </soapenv:Envelope>
        """;

    public static void main(String[] args) throws Exception {
        // The envelope is UTF-8 whatever the console's locale (a service's is often "C").
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String discoveryFile = System.getenv("EHAGENT_DISCOVERY_FILE");
        if (discoveryFile == null || discoveryFile.isEmpty()) discoveryFile = defaultDiscoveryFile();
        Map<?, ?> discovery;
        try {
            discovery = (Map<?, ?>) Json.parse(Files.readString(Path.of(discoveryFile)));
        } catch (IOException e) {
            exitUnreachable("no discovery file at " + discoveryFile);
            return;
        }
        String credentialFile = System.getenv("EHAGENT_CREDENTIAL_FILE");
        if (credentialFile == null || credentialFile.isEmpty()) credentialFile = (String) discovery.get("credentialFile");
        String credential = Files.readString(Path.of(credentialFile)).trim();
        long port = ((Number) discovery.get("port")).longValue();
        Agent agent = new Agent(URI.create("http://127.0.0.1:" + port + "/rpc"), credential);

        String envelope = args.length > 0 ? Files.readString(Path.of(args[0])) : SAMPLE;
        try {
            Map<?, ?> status = agent.call("session.status", Map.of());
            System.err.println("session: " + status.get("state"));
            Map<?, ?> signed = agent.call("soap.sign", Map.of("envelope", envelope));
            String text = (String) signed.get("envelope");
            out.print(text.endsWith("\n") ? text : text + "\n");
            out.flush();
        } catch (AgentException e) {
            System.err.println("the agent refused: " + e.getMessage());
            System.exit(1);
        } catch (java.net.ConnectException e) {
            // An agent that stopped left its discovery file behind.
            exitUnreachable("nothing answers on 127.0.0.1:" + port);
        }
    }

    /** ERR_AGENT_UNREACHABLE is the agent's own code for it (protocol/errors.ts); 4 is `ehagent`'s exit code. */
    static void exitUnreachable(String why) {
        System.err.println("ERR_AGENT_UNREACHABLE: the ehealth-agent is not running (" + why + "); start it with `ehagent start`");
        System.exit(4);
    }

    static String defaultDiscoveryFile() {
        String home = System.getProperty("user.home");
        String os = System.getProperty("os.name").toLowerCase();
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            return Path.of(local != null ? local : home + "\\AppData\\Local", "ehealth-agent", "run", "agent.json").toString();
        }
        if (os.contains("mac")) return Path.of(home, "Library", "Application Support", "ehealth-agent", "run", "agent.json").toString();
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) return Path.of(runtime, "ehealth-agent", "agent.json").toString();
        return Path.of(home, ".local", "state", "ehealth-agent", "run", "agent.json").toString();
    }

    /** A JSON-RPC error from the agent: error.data.code is the stable code to switch on. */
    static class AgentException extends Exception {
        final String code;
        AgentException(String code, String message) {
            super(code + ": " + message);
            this.code = code;
        }
    }

    /** The agent's JSON-RPC 2.0 API over loopback HTTP. */
    static class Agent {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final URI uri;
        final String credential;
        int nextId = 1;

        Agent(URI uri, String credential) {
            this.uri = uri;
            this.credential = credential;
        }

        Map<?, ?> call(String method, Map<String, ?> params) throws IOException, InterruptedException, AgentException {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("jsonrpc", "2.0");
            request.put("id", nextId++);
            request.put("method", method);
            request.put("params", params);
            HttpRequest httpRequest = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + credential)
                // The first call may wait for the user to type the PIN in the agent.
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(request), StandardCharsets.UTF_8))
                .build();
            HttpResponse<String> response = http.send(httpRequest, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            Map<?, ?> answer = (Map<?, ?>) Json.parse(response.body());
            if (answer.containsKey("error")) {
                Map<?, ?> error = (Map<?, ?>) answer.get("error");
                Map<?, ?> data = error.get("data") instanceof Map<?, ?> d ? d : Map.of();
                throw new AgentException(String.valueOf(data.get("code")), String.valueOf(error.get("message")));
            }
            return (Map<?, ?>) answer.get("result");
        }
    }

    /** Just enough JSON for the agent's requests and answers (the JDK has no JSON API). */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json p = new Json(text);
            Object value = p.value();
            p.space();
            if (p.i != p.s.length()) throw new IllegalArgumentException("trailing characters at " + p.i);
            return value;
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, out);
            return out.toString();
        }

        private static void write(Object v, StringBuilder out) {
            if (v == null) out.append("null");
            else if (v instanceof String str) {
                out.append('"');
                for (char c : str.toCharArray()) {
                    switch (c) {
                        case '"' -> out.append("\\\"");
                        case '\\' -> out.append("\\\\");
                        case '\n' -> out.append("\\n");
                        case '\r' -> out.append("\\r");
                        case '\t' -> out.append("\\t");
                        default -> {
                            if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                            else out.append(c);
                        }
                    }
                }
                out.append('"');
            } else if (v instanceof Number || v instanceof Boolean) out.append(v);
            else if (v instanceof Map<?, ?> map) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) out.append(',');
                    first = false;
                    write(String.valueOf(e.getKey()), out);
                    out.append(':');
                    write(e.getValue(), out);
                }
                out.append('}');
            } else if (v instanceof List<?> list) {
                out.append('[');
                for (int k = 0; k < list.size(); k++) {
                    if (k > 0) out.append(',');
                    write(list.get(k), out);
                }
                out.append(']');
            } else throw new IllegalArgumentException("cannot write " + v.getClass());
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private Object value() {
            space();
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> map = new LinkedHashMap<>();
                space();
                if (s.charAt(i) == '}') { i++; return map; }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    map.put(key, value());
                    space();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect('}');
                    return map;
                }
            }
            if (c == '[') {
                i++;
                List<Object> list = new ArrayList<>();
                space();
                if (s.charAt(i) == ']') { i++; return list; }
                while (true) {
                    list.add(value());
                    space();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect(']');
                    return list;
                }
            }
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (start == i) throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
            return Double.valueOf(s.substring(start, i));
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return out.toString();
                if (c != '\\') { out.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> { out.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                    default -> out.append(e);
                }
            }
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
            i++;
        }
    }
}
