/**
 * `npm run kernel:install`: installs the "SIGLA (TypeScript)" Jupyter kernel (kernelspec `sigla`).
 *
 *   npm run kernel:install                          # into the user's Jupyter data folder
 *   npm run kernel:install -- --prefix /tmp/jp      # into /tmp/jp/share/jupyter/kernels/sigla
 *   npm run kernel:install -- --python /usr/bin/python3
 *
 * It fills `jupyter/kernelspec/sigla/kernel.json` with absolute paths (this Node, tsx's loader, the
 * launcher `kernel/launcher.ts`) and installs it with the `jupyter_client` of the first Python that has
 * one: `--python`, else `/usr/bin/python3`, `python3`, `python`. With `--prefix`, Jupyter finds the
 * kernel only when `JUPYTER_PATH` includes `<prefix>/share/jupyter`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CANDIDATES = ["/usr/bin/python3", "python3", "python"];

function fail(message: string): never {
  console.error(`kernel:install: ${message}`);
  process.exit(1);
}

/** The first Python that can import jupyter_client, or undefined. */
function findPython(candidates: readonly string[]): string | undefined {
  return candidates.find(
    (python) => spawnSync(python, ["-c", "import jupyter_client"], { stdio: "ignore" }).status === 0,
  );
}

const { values } = (() => {
  try {
    return parseArgs({ options: { prefix: { type: "string" }, python: { type: "string" } } });
  } catch (error) {
    return fail(
      `${(error as Error).message} — usage: npm run kernel:install -- [--prefix dir] [--python path]`,
    );
  }
})();
const candidates = values.python ? [values.python] : CANDIDATES;
const python = findPython(candidates);
if (!python) {
  fail(
    `no Python with jupyter_client found (tried ${candidates.join(", ")}) — install Jupyter ` +
      "(apt-get install python3-jupyter-client) or pass --python <path>",
  );
}

const template = readFileSync(join(REPO, "jupyter/kernelspec/sigla/kernel.json"), "utf8");
const filled = template
  .replace("@NODE@", process.execPath)
  .replace("@TSX@", pathToFileURL(join(REPO, "node_modules/tsx/dist/loader.mjs")).href)
  .replace("@LAUNCHER@", join(REPO, "kernel/launcher.ts"));
const staging = mkdtempSync(join(tmpdir(), "sigla-kernelspec-"));
const source = join(staging, "sigla");
try {
  mkdirSync(source);
  writeFileSync(join(source, "kernel.json"), filled);
  const prefix = values.prefix ? resolve(values.prefix) : undefined;
  const code = [
    "import sys",
    "from jupyter_client.kernelspec import KernelSpecManager",
    "prefix = sys.argv[2] or None",
    "print(KernelSpecManager().install_kernel_spec(sys.argv[1], kernel_name='sigla', user=prefix is None, prefix=prefix, replace=True))",
  ].join("\n");
  const run = spawnSync(python, ["-c", code, source, prefix ?? ""], { encoding: "utf8" });
  if (run.status !== 0) {
    fail(`${python} could not install the kernelspec: ${run.stderr.trim().split("\n").at(-1) ?? ""}`);
  }
  console.log(`installed kernel "SIGLA (TypeScript)" (sigla) in ${run.stdout.trim()} with ${python}`);
  if (prefix) console.log(`Jupyter finds it with JUPYTER_PATH=${join(prefix, "share/jupyter")}`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
