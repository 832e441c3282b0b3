// Preloaded into the CLI by a test (NODE_OPTIONS=--import): at the process's first write to
// stdout, says on stderr whether Node had loaded its built-in undici (fetch/WebSocket) by then.
const write = process.stdout.write.bind(process.stdout);
let reported = false;
process.stdout.write = (...args) => {
  if (!reported) {
    reported = true;
    const loaded = process.moduleLoadList.some((name) => name.includes("undici"));
    process.stderr.write(`undici-at-first-output: ${loaded ? "loaded" : "not loaded"}\n`);
  }
  return write(...args);
};
