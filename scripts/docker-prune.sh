#!/bin/sh
# Prunes a production `npm ci --omit=dev` tree down to what a CPU-only `sigla serve` on Linux loads. The
# Dockerfile RUNs it in its build stage; run it on a copy of the tree to measure the image the same way:
#
#   mkdir /tmp/size && cp package.json package-lock.json .npmrc /tmp/size && cd /tmp/size
#   npm ci --omit=dev && sh /path/to/sigla/scripts/docker-prune.sh . && du -sb node_modules
#
# It keeps the binaries of the machine it runs on (linux-x64 or linux-arm64, glibc) and drops every other
# platform's, the GPU builds (CUDA, Vulkan), the sources native packages would compile from, LanceDB's own
# embedding functions (a second transformers.js with its own onnxruntime), the packages only bench/
# (chromadb, the Fiori data set) and the Jupyter kernel (tslab) load, whatever those leave unreferenced,
# type declarations, source maps and package tests; it strips the symbol tables from native binaries when
# `strip` is installed, and swaps sharp (which transformers.js imports for image inputs only) for a stub.
# It ends by importing the native packages it trimmed, so a prune that went too far fails the image build
# rather than the first request.
#
# Usage: scripts/docker-prune.sh [app-dir]   (default: the current folder; node_modules must be in it)
set -eu

cd "${1:-.}"
test -d node_modules || { echo "docker-prune: no node_modules in $(pwd)" >&2; exit 1; }
ARCH="$(node -p process.arch)" # x64 | arm64
case "$ARCH" in x64 | arm64) ;; *) echo "docker-prune: unsupported arch $ARCH" >&2; exit 1 ;; esac
before="$(du -sb node_modules | cut -f1)"
nm=node_modules

# Removes each entry of a folder that is not named: keep_only <dir> <name-to-keep>...
keep_only() {
  dir="$1"
  shift
  [ -d "$dir" ] || return 0
  for entry in "$dir"/*; do
    [ -e "$entry" ] || continue
    name="$(basename "$entry")"
    keep=no
    for wanted in "$@"; do [ "$name" = "$wanted" ] && keep=yes; done
    [ "$keep" = yes ] || rm -rf "$entry"
  done
}

# --- Other platforms, GPU builds, build-from-source material ----------------------------------------------
# node-llama-cpp: the CPU build for this arch only (no CUDA, CUDA-ext, Vulkan, arm, other OSes); the
# llama.cpp source bundle only serves building from source, which SIGLA never does (`build: "never"`).
keep_only "$nm/@node-llama-cpp" "linux-$ARCH"
rm -rf "$nm/node-llama-cpp/llama/gitRelease.bundle" "$nm/node-llama-cpp/llama/xpack"
# TypeScript 7 and its native binary: node-llama-cpp's optional peer, for its `inspect gpu` CLI only.
rm -rf "$nm/typescript" "$nm/@typescript"
# LanceDB: the glibc binary for this arch.
keep_only "$nm/@lancedb" lancedb "lancedb-linux-$ARCH-gnu"
# onnxruntime-node: this platform's runtime only; no CUDA/TensorRT providers (were they ever fetched).
keep_only "$nm/onnxruntime-node/bin/napi-v6" linux
keep_only "$nm/onnxruntime-node/bin/napi-v6/linux" "$ARCH"
find "$nm/onnxruntime-node/bin" -name 'libonnxruntime_providers_*' -exec rm -f {} +
# sharp's native builds for this arch, not the wasm fallback (and see the stub below).
keep_only "$nm/@img" colour "sharp-linux-$ARCH" "sharp-libvips-linux-$ARCH"
# usearch: this platform's prebuild, not the C/C++ sources it would compile from.
keep_only "$nm/usearch/prebuilds" "linux-$ARCH"
rm -rf "$nm/usearch/numkong" "$nm/usearch/include" "$nm/usearch/cpp" "$nm/usearch/c"
# fs-ext (the store's write lock): the Node builds for this platform.
if [ -d "$nm/fs-ext-extra-prebuilt/binaries" ]; then
  find "$nm/fs-ext-extra-prebuilt/binaries" -type f ! -name "fs-ext-linux-$ARCH-node-*" -exec rm -f {} +
fi
# resvg (charts) and esbuild (tsx): this platform's binary.
keep_only "$nm/@resvg" resvg-js "resvg-js-linux-$ARCH-gnu"
keep_only "$nm/@esbuild" "linux-$ARCH"

# --- Code the server never loads ---------------------------------------------------------------------------
# LanceDB's optional embedding functions (transformers.js 3 with its own onnxruntime-node/-web and sharp;
# openai): SIGLA embeds with its own embedders and never registers LanceDB's.
for pkg in @huggingface/transformers onnxruntime-node onnxruntime-web onnxruntime-common sharp @img; do
  rm -rf "$nm/@lancedb/lancedb/node_modules/$pkg"
done
rm -rf "$nm/openai"
# onnxruntime-web: transformers.js 4's Node build bundles what it needs of it and runs on onnxruntime-node.
rm -rf "$nm/onnxruntime-web"
# transformers.js: the Node builds its `exports` name (dist/transformers.node.{mjs,cjs}), not the browser ones.
rm -f "$nm"/@huggingface/transformers/dist/transformers.js "$nm"/@huggingface/transformers/dist/transformers.min.js \
  "$nm"/@huggingface/transformers/dist/transformers.web*.js "$nm"/@huggingface/transformers/dist/transformers.node.min.*
# Loaded only when the benchmark harness runs (chromadb and its 400 MB embedded server, the Fiori data set:
# bench/ is in the image because lib/commands imports its quick benchmark, but `serve` never runs a suite)
# and by the Jupyter kernel (tslab, zeromq), which is not in the image.
rm -rf "$nm"/chromadb "$nm"/chromadb-js-bindings-* "$nm/@sap-ux" "$nm/tslab" "$nm/@tslab" "$nm/zeromq"

# sharp: transformers.js imports it at load but calls it only for image inputs, which SIGLA never gives it
# (text embedders only). A stub that throws when called keeps the import working without libvips (19 MB).
if [ -d "$nm/sharp" ]; then
  version="$(node -p 'require("./node_modules/sharp/package.json").version')"
  rm -rf "$nm/sharp" "$nm"/@img/sharp-*
  mkdir -p "$nm/sharp"
  printf '{"name":"sharp","version":"%s","description":"stub: removed by scripts/docker-prune.sh","main":"index.cjs"}\n' \
    "$version" >"$nm/sharp/package.json"
  cat >"$nm/sharp/index.cjs" <<'EOF'
"use strict";
// Stub left by scripts/docker-prune.sh: this image embeds text only and has no libvips.
module.exports = function sharp() {
  throw new Error("sharp (image processing) is not in this image: SIGLA's server embeds text only");
};
EOF
fi

# Packages nothing left references any more (the dependencies of what was removed above): walks npm's
# hidden lockfile's paths from package.json's dependencies, resolving each name as Node does and reading
# each package.json on disk (so the stub's lack of dependencies counts).
node --input-type=module -e '
import { existsSync, readFileSync, readdirSync, rmdirSync, rmSync } from "node:fs";
const lock = JSON.parse(readFileSync("node_modules/.package-lock.json", "utf8")).packages;
const root = JSON.parse(readFileSync("package.json", "utf8"));
const resolve = (from, name) => {
  for (let base = from; ; ) {
    const key = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (key in lock && existsSync(key)) return key;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut < 0 ? "" : base.slice(0, cut);
  }
};
const reached = new Set();
const visit = (from, deps) => {
  for (const name of Object.keys(deps ?? {})) {
    const key = resolve(from, name);
    if (!key || reached.has(key) || !existsSync(key)) continue;
    reached.add(key);
    const pkg = JSON.parse(readFileSync(`${key}/package.json`, "utf8"));
    visit(key, { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies });
  }
};
visit("", { ...root.dependencies, ...root.optionalDependencies });
const orphans = Object.keys(lock).filter((key) => key && !lock[key].link && !reached.has(key) && existsSync(key));
for (const key of orphans) rmSync(key, { recursive: true, force: true });
for (const scope of readdirSync("node_modules").filter((name) => name.startsWith("@"))) {
  if (readdirSync(`node_modules/${scope}`).length === 0) rmdirSync(`node_modules/${scope}`);
}
console.log(`docker-prune: ${orphans.length} packages no longer referenced removed`);
'

# --- Files never read at run time --------------------------------------------------------------------------
find "$nm" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
find "$nm" -type d \( -name __tests__ -o -name test -o -name tests \) -prune -exec rm -rf {} +
# Symbol tables of native binaries (LanceDB's alone is 30 MB); the dynamic symbols they load by stay.
if command -v strip >/dev/null 2>&1; then
  find "$nm" -type f \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +
else
  echo "docker-prune: no strip (binutils) here; native binaries keep their symbol tables (~35 MB)" >&2
fi

find "$nm" -type d -empty -delete

after="$(du -sb node_modules | cut -f1)"
echo "docker-prune: node_modules $((before / 1000000)) MB -> $((after / 1000000)) MB (linux-$ARCH)"

# --- The packages trimmed above, and the server's, still load (each import reaches its native binary) --
# A file, not `node -e`: node-llama-cpp tests its binding in a child forked with this process's flags.
check=.docker-prune-check.mjs
cat >"$check" <<'EOF'
for (const name of ["@lancedb/lancedb", "onnxruntime-node", "@huggingface/transformers", "usearch",
  "fs-ext-extra-prebuilt", "@resvg/resvg-js", "esbuild", "tsx/esm/api", "@energetic-ai/embeddings", "fastify",
  "@fastify/cors", "@fastify/rate-limit", "@fastify/swagger", "prom-client"]) {
  await import(name);
}
const { getLlama } = await import("node-llama-cpp");
await (await getLlama({ gpu: false, build: "never", progressLogs: false, logLevel: "error" })).dispose();
console.log("docker-prune: native packages load");
EOF
status=0
node "$check" || status=$?
rm -f "$check"
exit "$status"
