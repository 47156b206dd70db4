// Finds a server's second bundled entry point (a worker thread's or child process's file) next
// to the running code: dist/x.js beside the bundled dist/main.js, or, when the server module runs
// from source (tests, tsx), the package's dist/x.js built by `pnpm build`.

/** URL of the bundled entry `name` (e.g. "loop-worker") for a module whose import.meta.url is `metaUrl`. */
export function bundledEntryUrl(metaUrl: string, name: string): URL {
  const fromSource = /\.[cm]?ts$/.test(new URL(metaUrl).pathname);
  return new URL(fromSource ? `../dist/${name}.js` : `./${name}.js`, metaUrl);
}
