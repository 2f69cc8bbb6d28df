#!/usr/bin/env python3
"""The same call the way a 1990s-era client makes it: one TCP socket, HTTP/1.0, an explicit
Content-Length, read until the server closes. This is what practice software written in Delphi,
VB6 or C with a bare socket component does, and the agent must serve it.

    python3 sign_envelope_http10.py [envelope.xml] > signed.xml

EHAGENT_DISCOVERY_FILE   the agent's discovery file (default: the per-user one, see README.md)
EHAGENT_CREDENTIAL_FILE  the credential to use (default: the one the discovery file names)
"""
import json
import os
import socket
import sys

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:be:fgov:ehealth:test:v1">
  <soapenv:Body>
    <urn:ConsultRequest><urn:Item>example over HTTP/1.0</urn:Item></urn:ConsultRequest>
  </soapenv:Body>
</soapenv:Envelope>
"""


def default_discovery_file():
    home = os.path.expanduser("~")
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "ehealth-agent", "agent.json")
    return os.path.join(home, ".local", "state", "ehealth-agent", "run", "agent.json")


def post_http10(port, credential, body):
    """One HTTP/1.0 exchange on a fresh connection; returns (status, headers, body bytes)."""
    head = (
        "POST /rpc HTTP/1.0\r\n"
        # HTTP/1.0 does not require Host, but the agent does: it refuses any other Host (DNS rebinding).
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"Authorization: Bearer {credential}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode("ascii")
    with socket.create_connection(("127.0.0.1", port), timeout=300) as s:
        s.sendall(head + body)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    header_bytes, _, payload = raw.partition(b"\r\n\r\n")
    lines = header_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    if "content-length" in headers and int(headers["content-length"]) != len(payload):
        raise IOError(f"short answer: {len(payload)} of {headers['content-length']} bytes")
    return status, headers, payload


def exit_unreachable(why):
    # The agent's own code for it (protocol/errors.ts), and `ehagent`'s exit code 4.
    print(f"ERR_AGENT_UNREACHABLE: the ehealth-agent is not running ({why}); start it with `ehagent start`", file=sys.stderr)
    sys.exit(4)


def main():
    discovery_file = os.environ.get("EHAGENT_DISCOVERY_FILE") or default_discovery_file()
    try:
        with open(discovery_file, encoding="utf-8") as f:
            discovery = json.load(f)
    except FileNotFoundError:
        exit_unreachable(f"no discovery file at {discovery_file}")
    with open(os.environ.get("EHAGENT_CREDENTIAL_FILE") or discovery["credentialFile"], encoding="utf-8") as f:
        credential = f.read().strip()
    port = int(discovery["port"])

    def rpc(request_id, method, params):
        body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}).encode("utf-8")
        try:
            status, _, payload = post_http10(port, credential, body)
        except ConnectionRefusedError:
            exit_unreachable(f"nothing answers on 127.0.0.1:{port}")
        answer = json.loads(payload.decode("utf-8"))
        if "error" in answer:
            data = answer["error"].get("data") or {}
            sys.exit(f"the agent refused (HTTP {status}): {data.get('code')}: {answer['error'].get('message')}")
        return answer["result"]

    envelope = SAMPLE
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            envelope = f.read()
    print(f"session: {rpc(1, 'session.status', {})['state']}", file=sys.stderr)
    signed = rpc(2, "soap.sign", {"envelope": envelope})
    sys.stdout.write(signed["envelope"].rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
