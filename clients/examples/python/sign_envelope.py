#!/usr/bin/env python3
"""Sign a SOAP envelope with ehealth-agent from Python, standard library only (urllib).

    python3 sign_envelope.py [envelope.xml] > signed.xml

EHAGENT_DISCOVERY_FILE   the agent's discovery file (default: the per-user one, see README.md)
EHAGENT_CREDENTIAL_FILE  the credential to use (default: the one the discovery file names)
"""
import json
import os
import sys
import urllib.error
import urllib.request

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:be:fgov:ehealth:test:v1">
  <soapenv:Body>
    <urn:ConsultRequest><urn:Item>example from Python</urn:Item></urn:ConsultRequest>
  </soapenv:Body>
</soapenv:Envelope>
"""


def default_discovery_file():
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, "ehealth-agent", "run", "agent.json")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "ehealth-agent", "run", "agent.json")
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "ehealth-agent", "agent.json")
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(home, ".local", "state")
    return os.path.join(state, "ehealth-agent", "run", "agent.json")


# The agent's own code for "nothing answers where the agent should be" (protocol/errors.ts), and
# the exit code `ehagent` uses for it.
AGENT_UNREACHABLE = "ERR_AGENT_UNREACHABLE: the ehealth-agent is not running ({}); start it with `ehagent start`"
EXIT_AGENT_UNREACHABLE = 4


def exit_unreachable(why):
    print(AGENT_UNREACHABLE.format(why), file=sys.stderr)
    sys.exit(EXIT_AGENT_UNREACHABLE)


class AgentError(Exception):
    def __init__(self, error):
        data = error.get("data") or {}
        super().__init__(f"{data.get('code', error.get('code'))}: {error.get('message')}")
        self.code = data.get("code")


def main():
    discovery_file = os.environ.get("EHAGENT_DISCOVERY_FILE") or default_discovery_file()
    try:
        with open(discovery_file, encoding="utf-8") as f:
            discovery = json.load(f)
    except FileNotFoundError:
        exit_unreachable(f"no discovery file at {discovery_file}")
    credential_file = os.environ.get("EHAGENT_CREDENTIAL_FILE") or discovery["credentialFile"]
    with open(credential_file, encoding="utf-8") as f:
        credential = f.read().strip()
    url = f"http://127.0.0.1:{discovery['port']}/rpc"
    next_id = iter(range(1, 1 << 30))

    def rpc(method, params=None):
        body = json.dumps({"jsonrpc": "2.0", "id": next(next_id), "method": method, "params": params or {}}).encode("utf-8")
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {credential}",
        })
        try:
            # Long timeout: the first call may wait for the user to type the PIN in the agent.
            with urllib.request.urlopen(request, timeout=300) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as e:  # refused by a guard (401, 403…): the body is still JSON-RPC
            answer = json.load(e)
        except urllib.error.URLError as e:  # connection refused: an agent that stopped left its file behind
            exit_unreachable(f"nothing answers at {url}: {e.reason}")
        if "error" in answer:
            raise AgentError(answer["error"])
        return answer["result"]

    envelope = SAMPLE
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            envelope = f.read()
    try:
        status = rpc("session.status")
        print(f"session: {status['state']}", file=sys.stderr)
        signed = rpc("soap.sign", {"envelope": envelope})
    except AgentError as e:
        sys.exit(f"the agent refused: {e}")
    sys.stdout.write(signed["envelope"])
    if not signed["envelope"].endswith("\n"):
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
