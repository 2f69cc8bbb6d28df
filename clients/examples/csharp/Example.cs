// Sign a SOAP envelope with ehealth-agent from C# (.NET 6 or later), HttpClient + System.Text.Json.
//
//   dotnet run -- [envelope.xml] > signed.xml
//
// EHAGENT_DISCOVERY_FILE   the agent's discovery file (default: the per-user one, see README.md)
// EHAGENT_CREDENTIAL_FILE  the credential to use (default: the one the discovery file names)
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

const string Sample = """
<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:be:fgov:ehealth:test:v1">
  <soapenv:Body>
    <urn:ConsultRequest><urn:Item>example from C#</urn:Item></urn:ConsultRequest>
  </soapenv:Body>
</soapenv:Envelope>
""";

string discoveryFile = Environment.GetEnvironmentVariable("EHAGENT_DISCOVERY_FILE") is { Length: > 0 } d ? d : DefaultDiscoveryFile();
// ERR_AGENT_UNREACHABLE is the agent's own code for it (protocol/errors.ts); 4 is `ehagent`'s exit code.
if (!File.Exists(discoveryFile))
{
    Console.Error.WriteLine($"ERR_AGENT_UNREACHABLE: the ehealth-agent is not running (no discovery file at {discoveryFile}); start it with `ehagent start`");
    return 4;
}
JsonNode discovery = JsonNode.Parse(File.ReadAllText(discoveryFile))!;
string credentialFile = Environment.GetEnvironmentVariable("EHAGENT_CREDENTIAL_FILE") is { Length: > 0 } c ? c : discovery["credentialFile"]!.GetValue<string>();
string credential = File.ReadAllText(credentialFile).Trim();
int port = discovery["port"]!.GetValue<int>();

// The first call may wait for the user to type the PIN in the agent: a long timeout.
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
int nextId = 1;

async Task<JsonNode> Call(string method, JsonObject parameters)
{
    var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = nextId++, ["method"] = method, ["params"] = parameters };
    using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
    // StringContent adds "; charset=utf-8", which the agent accepts as application/json.
    using HttpResponseMessage response = await http.PostAsync("rpc", content);
    JsonNode answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    if (answer["error"] is JsonNode error)
        throw new InvalidOperationException($"{error["data"]?["code"]}: {error["message"]}");
    return answer["result"]!;
}

string envelope = args.Length > 0 ? File.ReadAllText(args[0]) : Sample + "\n";
try
{
    JsonNode status = await Call("session.status", new JsonObject());
    Console.Error.WriteLine($"session: {status["state"]}");
    JsonNode signed = await Call("soap.sign", new JsonObject { ["envelope"] = envelope });
    Console.Out.Write(signed["envelope"]!.GetValue<string>());
    return 0;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"the agent refused: {e.Message}");
    return 1;
}
catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
{
    // An agent that stopped left its discovery file behind.
    Console.Error.WriteLine($"ERR_AGENT_UNREACHABLE: the ehealth-agent is not running (nothing answers on 127.0.0.1:{port}); start it with `ehagent start`");
    return 4;
}

static string DefaultDiscoveryFile()
{
    string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
    if (OperatingSystem.IsWindows())
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ehealth-agent", "run", "agent.json");
    if (OperatingSystem.IsMacOS())
        return Path.Combine(home, "Library", "Application Support", "ehealth-agent", "run", "agent.json");
    string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
    return string.IsNullOrEmpty(runtime)
        ? Path.Combine(home, ".local", "state", "ehealth-agent", "run", "agent.json")
        : Path.Combine(runtime, "ehealth-agent", "agent.json");
}
