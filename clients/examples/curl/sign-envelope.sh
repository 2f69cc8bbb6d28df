#!/usr/bin/env bash
# Sign a SOAP envelope with ehealth-agent using nothing but bash, curl and awk.
#
#   ./sign-envelope.sh [envelope.xml] > signed.xml
#
# EHAGENT_DISCOVERY_FILE  the agent's discovery file (default: the per-user one, see README.md)
# EHAGENT_CREDENTIAL_FILE the credential to use (default: the one the discovery file names, i.e.
#                         the user's own; a paired application passes its own file here)
set -euo pipefail

if [ -z "${EHAGENT_DISCOVERY_FILE:-}" ]; then
  if [ "$(uname)" = Darwin ]; then EHAGENT_DISCOVERY_FILE="$HOME/Library/Application Support/ehealth-agent/run/agent.json"
  elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then EHAGENT_DISCOVERY_FILE="$XDG_RUNTIME_DIR/ehealth-agent/agent.json"
  else EHAGENT_DISCOVERY_FILE="${XDG_STATE_HOME:-$HOME/.local/state}/ehealth-agent/run/agent.json"; fi
fi
# ERR_AGENT_UNREACHABLE is the agent's own code for it (protocol/errors.ts); 4 is `ehagent`'s exit code.
unreachable() { echo "ERR_AGENT_UNREACHABLE: the ehealth-agent is not running ($1); start it with \`ehagent start\`" >&2; exit 4; }
[ -r "$EHAGENT_DISCOVERY_FILE" ] || unreachable "no discovery file at $EHAGENT_DISCOVERY_FILE"

# json_value NAME: the first value of "NAME" in the JSON on stdin, strings unescaped. Enough for
# the agent's answers (no jq needed); not a general JSON parser.
json_value() {
  awk -v name="$1" '
    function hexval(h,   i, n) { n = 0; h = tolower(h); for (i = 1; i <= length(h); i++) n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return n }
    BEGIN { RS = "\001" }
    {
      key = "\"" name "\""; at = index($0, key); if (!at) exit 1
      s = substr($0, at + length(key)); sub(/^[ \t\r\n]*:[ \t\r\n]*/, "", s)
      if (substr(s, 1, 1) != "\"") { match(s, /^[^,}\] \t\r\n]+/); printf "%s", substr(s, 1, RLENGTH); exit }
      out = ""; n = length(s)
      for (j = 2; j <= n; j++) {
        c = substr(s, j, 1)
        if (c == "\"") break
        if (c == "\\") {
          c = substr(s, ++j, 1)
          if (c == "n") c = "\n"; else if (c == "t") c = "\t"; else if (c == "r") c = "\r"
          else if (c == "u") { c = sprintf("%c", hexval(substr(s, j + 1, 4))); j += 4 }
        }
        out = out c
      }
      printf "%s", out
    }'
}

# json_string: stdin as a JSON string literal. sed escapes (its replacement syntax is the same in
# GNU and BSD sed, unlike awk's gsub), awk joins the lines with \n.
json_string() {
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e $'s/\t/\\\\t/g' -e $'s/\r/\\\\r/g' |
    awk 'BEGIN { printf "\"" } { printf "%s%s", (NR > 1 ? "\\n" : ""), $0 } END { printf "\"" }'
}

port=$(json_value port < "$EHAGENT_DISCOVERY_FILE")
credential_file=${EHAGENT_CREDENTIAL_FILE:-$(json_value credentialFile < "$EHAGENT_DISCOVERY_FILE")}
credential=$(tr -d ' \r\n' < "$credential_file")

# rpc METHOD PARAMS_JSON: the JSON-RPC answer. The credential reaches curl through a config on a
# pipe, not the command line, where any local user could read it with ps.
rpc() {
  printf '{"jsonrpc":"2.0","id":1,"method":"%s","params":%s}' "$1" "$2" |
    curl -q -sS --max-time 300 "http://127.0.0.1:$port/rpc" \
      -K <(printf 'header = "Authorization: Bearer %s"\n' "$credential") \
      -H 'Content-Type: application/json' --data-binary @-
}

fail_on_error() {
  if printf '%s' "$1" | json_value error >/dev/null 2>&1; then
    # error.data.code is the stable string code (ERR_…); error.code is the JSON-RPC number.
    echo "the agent refused: $(printf '%s' "$1" | sed 's/.*"data"://' | json_value code): $(printf '%s' "$1" | json_value message)" >&2
    exit 1
  fi
}

# curl exits 7 when it cannot connect: an agent that stopped left its discovery file behind.
status=$(rpc session.status '{}') || { code=$?; [ "$code" = 7 ] && unreachable "nothing answers on 127.0.0.1:$port"; exit "$code"; }
fail_on_error "$status"
echo "session: $(printf '%s' "$status" | json_value state)" >&2

if [ $# -ge 1 ]; then envelope=$(json_string < "$1")
else
  envelope=$(json_string <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:be:fgov:ehealth:test:v1">
  <soapenv:Body>
    <urn:ConsultRequest><urn:Item>example from curl</urn:Item></urn:ConsultRequest>
  </soapenv:Body>
</soapenv:Envelope>
XML
)
fi

signed=$(rpc soap.sign "{\"envelope\":$envelope}")
fail_on_error "$signed"
printf '%s\n' "$(printf '%s' "$signed" | json_value envelope)"
