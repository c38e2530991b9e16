/**
 * Shared by the tests that run notebooks through a real Jupyter (`kernel/kernel.test.ts`,
 * `notebooks/notebooks.test.ts`): find Debian's Jupyter, install the `sigla` kernelspec into a temp prefix
 * with `npm run kernel:install`'s script, execute a notebook with nbconvert and read its outputs back.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../", import.meta.url));
/** The Python with Jupyter (Debian's); `SIGLA_KERNEL_TEST_PYTHON` picks another (e.g. to see the skip). */
export const PYTHON = process.env.SIGLA_KERNEL_TEST_PYTHON || "/usr/bin/python3";
const TSX = join(REPO, "node_modules/tsx/dist/cli.mjs");

/** One output of a code cell, as nbformat stores it. */
export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

/** One cell of an executed notebook. */
export interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}

/** nbformat's multi-line strings (a string or a list of lines) as one string. */
export const joined = (value: unknown) => (Array.isArray(value) ? value.join("") : String(value ?? ""));

/** Whether `PYTHON` can run nbconvert and nbclient. */
export function hasJupyter(): boolean {
  const probe = spawnSync(PYTHON, ["-c", "import jupyter_client, nbclient, nbconvert, nbformat"], {
    stdio: "ignore",
  });
  return probe.status === 0;
}

/** The line a test prints when it skips for want of Jupyter. */
export function skipMessage(file: string): string {
  return `  SKIP ${file}: ${PYTHON} has no Jupyter (apt-get install python3-nbconvert …)`;
}

/** Installs the `sigla` kernelspec under `prefix`; returns the installer's stdout and the parsed kernel.json. */
export function installKernel(prefix: string): {
  status: number | null;
  stdout: string;
  stderr: string;
  spec?: { display_name: string; argv: string[] };
} {
  const install = spawnSync(
    process.execPath,
    [TSX, join(REPO, "scripts/kernel-install.ts"), "--prefix", prefix],
    {
      encoding: "utf8",
    },
  );
  const specFile = join(prefix, "share/jupyter/kernels/sigla/kernel.json");
  const spec = install.status === 0 ? JSON.parse(readFileSync(specFile, "utf8")) : undefined;
  return { status: install.status, stdout: install.stdout, stderr: install.stderr, spec };
}

/**
 * Executes `input` (relative to `cwd`, which is also the kernel's cwd) on the `sigla` kernel of `prefix` into
 * `output` with nbconvert (`allowErrors`: `--allow-errors`, a failing cell does not stop the run). `env` is
 * added to the process's environment. nbconvert shuts the kernel down gracefully (shutdown_request) at the end.
 */
export function executeNotebook(options: {
  prefix: string;
  cwd: string;
  input: string;
  output: string;
  env?: Record<string, string>;
  timeoutSeconds?: number;
  allowErrors?: boolean;
}) {
  return spawnSync(
    PYTHON,
    [
      "-m",
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=sigla",
      `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? 300}`,
      ...(options.allowErrors ? ["--allow-errors"] : []),
      options.input,
      "--output",
      options.output,
    ],
    {
      cwd: options.cwd,
      encoding: "utf8",
      env: {
        ...process.env,
        JUPYTER_PATH: join(options.prefix, "share/jupyter"),
        PYDEVD_DISABLE_FILE_VALIDATION: "1",
        ...options.env,
      },
    },
  );
}

/** The cells of a notebook file. */
export function readCells(file: string): Cell[] {
  return JSON.parse(readFileSync(file, "utf8")).cells;
}

/** One IOPub message of a cell, as the kernel sent it. */
export interface IopubMessage {
  cell: number;
  type: string;
  content: {
    data?: Record<string, unknown>;
    transient?: { display_id?: string };
    name?: string;
    text?: string;
  };
}

// Runs cells one by one on a started `sigla` kernel and prints every IOPub message each one caused, in order
// (nbconvert folds update_display_data into the final output, so the live redraws are seen only here).
// With a third argument, the kernel is interrupted (as Jupyter's stop button does) once per cell, the first
// time a message of that cell contains that text.
const IOPUB_SCRIPT = `
import json, sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="sigla", cwd=sys.argv[2], startup_timeout=120)
interrupt_on = sys.argv[3] if len(sys.argv) > 3 else ""
messages = []
try:
    for cell, code in enumerate(json.loads(sys.argv[1])):
        msg_id = kc.execute(code)
        interrupted = False
        while True:
            m = kc.get_iopub_msg(timeout=300)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
            messages.append({"cell": cell, "type": m["msg_type"], "content": m["content"]})
            if interrupt_on and not interrupted and interrupt_on in json.dumps(m["content"], ensure_ascii=False):
                interrupted = True
                km.interrupt_kernel()
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(messages))
`;

/**
 * Runs `cells` on the `sigla` kernel of `prefix` (cwd `cwd`) and returns their IOPub messages; with
 * `interruptOn`, interrupts the kernel the first time a cell's message contains that text.
 */
export function iopubMessages(options: {
  prefix: string;
  cwd: string;
  cells: string[];
  env?: Record<string, string>;
  interruptOn?: string;
}): IopubMessage[] {
  const args = ["-c", IOPUB_SCRIPT, JSON.stringify(options.cells), options.cwd];
  const run = spawnSync(PYTHON, options.interruptOn ? [...args, options.interruptOn] : args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, JUPYTER_PATH: join(options.prefix, "share/jupyter"), ...options.env },
  });
  if (run.status !== 0) throw new Error(`jupyter_client run failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A cell's reply and its streams, from {@link queuedCells}. */
export interface QueuedCell {
  status: string;
  execution_count?: number | null;
  stdout: string;
  stderr: string;
}

// Sends every cell at once, as "Run All" does (stop_on_error as Jupyter's default, true), then collects each
// one's reply and streams.
const QUEUED_SCRIPT = `
import json, sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="sigla", cwd=sys.argv[2], startup_timeout=120)
try:
    ids = [kc.execute(code) for code in json.loads(sys.argv[1])]
    cells = {i: {"stdout": "", "stderr": ""} for i in ids}
    idle = set()
    while len(idle) < len(ids):
        m = kc.get_iopub_msg(timeout=300)
        parent = m["parent_header"].get("msg_id")
        if parent not in cells:
            continue
        if m["msg_type"] == "stream":
            cells[parent][m["content"]["name"]] += m["content"]["text"]
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            idle.add(parent)
    replied = set()
    while len(replied) < len(ids):
        reply = kc.get_shell_msg(timeout=300)
        parent = reply["parent_header"].get("msg_id")
        if parent in cells:
            cells[parent].update(reply["content"])
            replied.add(parent)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps([cells[i] for i in ids]))
`;

/** Runs `cells` on the `sigla` kernel of `prefix` all at once (queued, as "Run All" does); their replies. */
export function queuedCells(options: {
  prefix: string;
  cwd: string;
  cells: string[];
  env?: Record<string, string>;
}): QueuedCell[] {
  const run = spawnSync(PYTHON, ["-c", QUEUED_SCRIPT, JSON.stringify(options.cells), options.cwd], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: join(options.prefix, "share/jupyter"), ...options.env },
  });
  if (run.status !== 0) throw new Error(`jupyter_client run failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}
