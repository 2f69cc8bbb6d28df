<#
.SYNOPSIS
  Sign a SOAP envelope with ehealth-agent from PowerShell (Windows PowerShell 5.1 or PowerShell 7).

.EXAMPLE
  .\Sign-Envelope.ps1 -EnvelopeFile request.xml > signed.xml

.NOTES
  EHAGENT_DISCOVERY_FILE   the agent's discovery file (default: %LOCALAPPDATA%\ehealth-agent\run\agent.json)
  EHAGENT_CREDENTIAL_FILE  the credential to use (default: the one the discovery file names)
#>
param([string]$EnvelopeFile)
$ErrorActionPreference = 'Stop'

$sample = @'
<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:be:fgov:ehealth:test:v1">
  <soapenv:Body>
    <urn:ConsultRequest><urn:Item>example from PowerShell</urn:Item></urn:ConsultRequest>
  </soapenv:Body>
</soapenv:Envelope>
'@

$discoveryFile = $env:EHAGENT_DISCOVERY_FILE
if (-not $discoveryFile) { $discoveryFile = Join-Path $env:LOCALAPPDATA 'ehealth-agent\run\agent.json' }
# ERR_AGENT_UNREACHABLE is the agent's own code for it (protocol/errors.ts); 4 is `ehagent`'s exit code.
function Exit-Unreachable([string]$Why) {
  [Console]::Error.WriteLine("ERR_AGENT_UNREACHABLE: the ehealth-agent is not running (${Why}); start it with ``ehagent start``")
  exit 4
}
if (-not (Test-Path $discoveryFile)) { Exit-Unreachable "no discovery file at ${discoveryFile}" }
$discovery = Get-Content -Raw -Encoding UTF8 $discoveryFile | ConvertFrom-Json
$credentialFile = $env:EHAGENT_CREDENTIAL_FILE
if (-not $credentialFile) { $credentialFile = $discovery.credentialFile }
$credential = (Get-Content -Raw $credentialFile).Trim()
$uri = "http://127.0.0.1:$($discovery.port)/rpc"
$script:nextId = 1

function Invoke-Agent([string]$Method, [hashtable]$Params) {
  $body = @{ jsonrpc = '2.0'; id = $script:nextId++; method = $Method; params = $Params } | ConvertTo-Json -Compress -Depth 5
  # UTF-8 bytes: Windows PowerShell 5.1 would otherwise send the string in the ANSI code page.
  try {
    $answer = Invoke-RestMethod -Uri $uri -Method Post -ContentType 'application/json' `
      -Headers @{ Authorization = "Bearer $credential" } -Body ([Text.Encoding]::UTF8.GetBytes($body)) -TimeoutSec 300
  } catch [System.Net.WebException], [System.Net.Http.HttpRequestException] {
    # No HTTP answer at all (an agent that stopped left its discovery file behind).
    if (-not $_.Exception.Response) { Exit-Unreachable "nothing answers at $uri" }
    throw
  }
  if ($answer.error) { throw "the agent refused: $($answer.error.data.code): $($answer.error.message)" }
  return $answer.result
}

$envelope = if ($EnvelopeFile) { Get-Content -Raw -Encoding UTF8 $EnvelopeFile } else { $sample }
$status = Invoke-Agent 'session.status' @{}
[Console]::Error.WriteLine("session: $($status.state)")
$signed = Invoke-Agent 'soap.sign' @{ envelope = $envelope }
[Console]::Out.Write($signed.envelope)
