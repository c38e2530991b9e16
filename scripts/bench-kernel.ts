/**
 * `npm run bench:kernel`: how fast the SIGLA Jupyter kernel comes up and answers a `%query` on a 10k store.
 *
 *   npm run bench:kernel                     # 3 runs (medians), writes reports/bench-kernel.json
 *   npm run bench:kernel -- --runs 5 --size 2000
 *
 * 1. Installs the `sigla` kernelspec into a temp prefix (kernel/jupyter-test-helpers.ts, as kernel.test.ts).
 * 2. Builds a store of `--size` short seeded lorem texts (bench/datasets/lorem.ts) embedded by use-lite, without
 *    auto-linking (building is not what is measured).
 * 3. Per run, a Python `jupyter_client` snippet (Debian's /usr/bin/python3) starts a fresh kernel and times,
 *    on the client's clock, each cell's execute → reply round trip:
 *    - readyMs: start_kernel() → the kernel's first kernel_info reply (what a front end waits for), and
 *      readyCpuMs, the CPU time the kernel process had used by then (see startupCpuMs);
 *    - startupMs: start_kernel() → the reply of the first cell (`1 + 1`): process start, tsx, tslab's
 *      TypeScript program (the library is loaded later, by the first cell that uses it);
 *    - startupCpuMs: the CPU time the kernel process had used by then (user + system, from /proc: what a
 *      busy machine does not inflate the way it inflates wall time);
 *    - storeOpenMs: `%store open <store>` (the workbench and the 10k store loaded);
 *    - firstQueryMs: the first `%query` (includes loading the embedder);
 *    - queryMs: the median of `--queries` more `%query` cells on the warm kernel.
 * The report holds the medians over runs and every run's numbers.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loremCorpus } from "../bench/datasets/lorem.js";
import { machine, median } from "../bench/measure.js";
import { REPORTS, reportPath, writeJson } from "../bench/report-name.js";
import { hasJupyter, installKernel, PYTHON, REPO } from "../kernel/jupyter-test-helpers.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";

const QUERY = "lorem ipsum dolor sit amet";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    size: { type: "string", default: "10000" },
    queries: { type: "string", default: "3" },
    out: { type: "string", default: REPORTS },
  },
});

/** Runs in /usr/bin/python3: one kernel, the cells timed, one JSON line out. */
const CLIENT = String.raw`
import json, os, sys, time
from jupyter_client.manager import KernelManager
store, query, queries = sys.argv[1], sys.argv[2], int(sys.argv[3])
def cpu_ms(km):
    # utime + stime of the kernel process (fields 14 and 15 of /proc/<pid>/stat), or None off Linux.
    try:
        with open("/proc/%d/stat" % km.provisioner.process.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except Exception:
        return None
def run(kc, code):
    t = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
    ms = (time.perf_counter() - t) * 1000
    if reply["content"]["status"] != "ok":
        raise SystemExit("cell failed: " + code)
    return ms
t0 = time.perf_counter()
km = KernelManager(kernel_name="sigla")
km.start_kernel()
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=120)
    out = {"readyMs": (time.perf_counter() - t0) * 1000, "readyCpuMs": cpu_ms(km)}
    run(kc, "1 + 1")
    out["startupMs"] = (time.perf_counter() - t0) * 1000
    out["startupCpuMs"] = cpu_ms(km)
    out["storeOpenMs"] = run(kc, "%store open " + store)
    q = "%query " + json.dumps(query) + " -k 10"
    out["firstQueryMs"] = run(kc, q)
    out["queryMs"] = [run(kc, q) for _ in range(queries)]
    print(json.dumps(out))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
`;

const round = (ms: number) => Math.round(ms * 10) / 10;

async function main(): Promise<void> {
  if (!hasJupyter())
    throw new Error(`bench:kernel: ${PYTHON} has no Jupyter (apt-get install python3-nbconvert …)`);
  const runs = Number(args.runs);
  const size = Number(args.size);
  const queries = Number(args.queries);
  const dir = mkdtempSync(join(tmpdir(), "sigla-kernel-bench-"));
  try {
    const prefix = join(dir, "jupyter");
    const install = installKernel(prefix);
    if (install.status !== 0) throw new Error(`bench:kernel: kernel install failed\n${install.stderr}`);

    const storePath = join(dir, "store");
    const buildStart = performance.now();
    const store = await CapsuleStore.open(storePath, { embedder: "use-lite" });
    // Short texts: the first sentence of each seeded lorem paragraph (whole paragraphs take minutes to embed).
    const texts = loremCorpus(size, 1).map((p) => `${p.split(". ")[0].replace(/\.$/, "")}.`);
    const batch = 1000;
    for (let i = 0; i < texts.length; i += batch) {
      await store.addCapsules(
        texts.slice(i, i + batch).map((text) => ({ text, tags: ["lorem"] })),
        { autoLinkK: 0 },
      );
      process.stderr.write(`\rbench:kernel: store ${Math.min(i + batch, size)}/${size}`);
    }
    const stats = await store.stats();
    await store.close();
    const buildMs = performance.now() - buildStart;
    process.stderr.write(
      `\rbench:kernel: store of ${stats.count} built in ${(buildMs / 1000).toFixed(1)} s\n`,
    );

    const results: {
      readyMs: number;
      readyCpuMs: number | null;
      startupMs: number;
      startupCpuMs: number | null;
      storeOpenMs: number;
      firstQueryMs: number;
      queryMs: number[];
    }[] = [];
    for (let run = 0; run < runs; run++) {
      const child = spawnSync(PYTHON, ["-c", CLIENT, storePath, QUERY, String(queries)], {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...process.env,
          JUPYTER_PATH: join(prefix, "share/jupyter"),
          PYDEVD_DISABLE_FILE_VALIDATION: "1",
          SIGLA_HOME: join(dir, "home"),
        },
      });
      if (child.status !== 0) throw new Error(`bench:kernel: run ${run + 1} failed\n${child.stderr}`);
      const line = child.stdout.trim().split("\n").at(-1) ?? "";
      const result = JSON.parse(line);
      results.push(result);
      process.stderr.write(
        `bench:kernel: run ${run + 1}/${runs}: ready ${round(result.readyMs)} ms (${round(result.readyCpuMs ?? Number.NaN)} ms CPU), first cell ${round(result.startupMs)} ms (${round(result.startupCpuMs ?? Number.NaN)} ms CPU), %query ${round(median(result.queryMs))} ms\n`,
      );
    }

    const report = {
      benchmark: "kernel",
      createdAt: new Date().toISOString(),
      machine: machine(),
      method:
        "Python jupyter_client (/usr/bin/python3) against the sigla kernelspec in a temp prefix; client-side execute → reply times; a fresh kernel per run",
      store: {
        capsules: stats.count,
        embedder: stats.embedder,
        dim: stats.dim,
        indexKind: stats.indexKind,
        texts: "first sentence of each bench/datasets/lorem.ts paragraph, seed 1",
        autoLink: false,
        buildMs: round(buildMs),
      },
      query: { text: QUERY, k: 10 },
      runs,
      queriesPerRun: queries,
      median: {
        readyMs: round(median(results.map((r) => r.readyMs))),
        readyCpuMs: round(median(results.map((r) => r.readyCpuMs ?? Number.NaN))),
        startupMs: round(median(results.map((r) => r.startupMs))),
        startupCpuMs: round(median(results.map((r) => r.startupCpuMs ?? Number.NaN))),
        storeOpenMs: round(median(results.map((r) => r.storeOpenMs))),
        firstQueryMs: round(median(results.map((r) => r.firstQueryMs))),
        queryMs: round(median(results.flatMap((r) => r.queryMs))),
      },
      results: results.map((r) => ({
        readyMs: round(r.readyMs),
        readyCpuMs: r.readyCpuMs === null ? null : round(r.readyCpuMs),
        startupMs: round(r.startupMs),
        startupCpuMs: r.startupCpuMs === null ? null : round(r.startupCpuMs),
        storeOpenMs: round(r.storeOpenMs),
        firstQueryMs: round(r.firstQueryMs),
        queryMs: r.queryMs.map(round),
      })),
    };
    const file = reportPath(resolve(REPO, args.out ?? REPORTS), "kernel");
    await writeJson(file, report);
    console.log(JSON.stringify(report.median));
    console.log(`bench:kernel: wrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
