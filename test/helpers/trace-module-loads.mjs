// A module loader hook (https://nodejs.org/api/module.html#customization-hooks) that reports the
// URL of every module the process loads to the thread that registered it
// (test/helpers/ehagent-from-source.ts). It changes nothing about the loading itself.
let port

export function initialize(data) {
  port = data.port
}

export async function load(url, context, nextLoad) {
  port.postMessage(url)
  return nextLoad(url, context)
}
