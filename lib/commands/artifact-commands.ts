/**
 * Models as artefacts (seed §2, §12, §13): `convert` (a model folder → `.capsulegraph`), `run-cg` (run
 * one), `converter-mod` (weights → `.capsulemod`), `module` (the registry: add, list, remove, lookup, info,
 * route) and `attach` / `detach` (the loader). The REPL and the kernel use their workbench's module system,
 * whose loader attaches adapters to the workbench's model; the CLI opens one per command.
 */
import { convertToCapsuleGraph } from "../models/capsulegraph.js";
import { convertModule } from "../models/convert-module.js";
import type { ModuleEntry } from "../models/module-index.js";
import { DEVICE_CONSTRAINTS, MODULE_DTYPES, MODULE_TYPES, type ModuleType } from "../models/module-meta.js";
import { type ModuleSystem, openModules } from "../models/modules.js";
import { runCapsuleGraph } from "../models/run-capsulegraph.js";
import { type CommandContext, defineCommand, flag } from "./definition.js";
import { PROFILE_FLAG } from "./model-commands.js";
import { type FlagSpec, usageError } from "./specs.js";
import type { AttachedResult, CommandOptions, ModuleSummary, ModulesResult } from "./types.js";

/** Two paths: what is converted and where the artefact goes. */
function twoPaths(command: Parameters<typeof usageError>[0], words: readonly string[]): [string, string] {
  if (words.length !== 2) {
    throw usageError(command, `takes two paths (what to convert, then the output file), got ${words.length}`);
  }
  return [words[0], words[1]];
}

function progress(options: CommandOptions, job: string) {
  return (step: string, done: number, total: number) =>
    options.onProgress?.({
      job,
      done,
      total,
      unit: step === "token capsules" ? "tokens" : "steps",
      label: step,
    });
}

/** The door's module system: the workbench's in the REPL and kernel, a fresh one in the CLI. */
async function withModules<T>(
  context: CommandContext,
  work: (system: ModuleSystem) => Promise<T>,
): Promise<T> {
  if (context.interactive) return work(await (await context.workbench()).modules());
  const system = await openModules();
  try {
    return await work(system);
  } finally {
    await system.close();
  }
}

function summary(entry: ModuleEntry): ModuleSummary {
  const { meta } = entry;
  return {
    id: meta.module_id,
    type: meta.type,
    skills: meta.skills,
    dtype: meta.dtype,
    device: meta.device_constraint,
    bytes: meta.bytes,
    dependsOn: meta.depends_on,
    description: meta.description,
    dir: entry.dir,
  };
}

export const CONVERT = defineCommand({
  name: "convert",
  args: "paths",
  required: true,
  flags: [
    {
      name: "bits",
      kind: "choice",
      choices: ["8", "16"],
      value: "<8|16>",
      help: "weight precision (default 8)",
    },
    {
      name: "max-tokens",
      kind: "int",
      min: 1,
      value: "<n>",
      help: "keep only the first n tokens in the token store (default: the whole vocabulary)",
    },
  ],
  usage: ":convert <model folder> <out.capsulegraph> [--bits 8|16] [--max-tokens n]",
  summary:
    "convert a transformers.js model folder to a .capsulegraph: token capsules from the full-precision weights, then 8-bit (per channel) or fp16 weights, checked against the original",
  long: true,
  positional: "paths",
  opens: "nothing",
  input: (parsed) => ({
    paths: parsed.words,
    bits: flag<string>(parsed, "bits"),
    maxTokens: flag<number>(parsed, "max-tokens"),
  }),
  async run(_context, args: { paths: string[]; bits?: string | number; maxTokens?: number }, options) {
    const [model, out] = twoPaths(CONVERT, args.paths);
    const converted = await convertToCapsuleGraph(model, out, {
      quantBits: args.bits === undefined ? 8 : (Number(args.bits) as 8 | 16),
      maxTokens: args.maxTokens,
      signal: options.signal,
      onProgress: progress(options, "convert"),
    });
    return { kind: "convert", ...converted };
  },
  json: (result) => ({ path: result.path, bytes: result.bytes, ...result.meta, sha256: undefined }),
});

export const RUN_CG = defineCommand({
  name: "run-cg",
  args: "path",
  required: true,
  flags: [
    { name: "prompt", short: "p", kind: "string", required: true, value: "<text>", help: "the prompt" },
    {
      name: "max-tokens",
      kind: "int",
      min: 1,
      max: 32768,
      value: "<n>",
      help: "most tokens to generate (default 128)",
    },
    PROFILE_FLAG,
  ],
  usage: ":run-cg <file.capsulegraph> -p <prompt> [--max-tokens 128] [--profile home-cpu|home-gpu]",
  summary:
    "run a .capsulegraph: a causal LM streams its answer, an encoder embeds the prompt; both show the nearest token capsules",
  long: true,
  positional: "file",
  opens: "nothing",
  input: (parsed) => ({
    file: parsed.words[0],
    prompt: flag<string>(parsed, "prompt") as string,
    maxTokens: flag<number>(parsed, "max-tokens"),
    profile: flag<string>(parsed, "profile"),
  }),
  async run(_context, args: { file: string; prompt: string; maxTokens?: number; profile?: string }, options) {
    const run = await runCapsuleGraph(args.file, {
      prompt: args.prompt,
      maxTokens: args.maxTokens,
      profile: args.profile,
      signal: options.signal,
      onToken: options.onToken,
    });
    return { kind: "run-cg", run };
  },
  json: (result) => result.run,
});

const TYPE_FLAG: FlagSpec = {
  name: "type",
  kind: "choice",
  choices: MODULE_TYPES,
  required: true,
  value: `<${MODULE_TYPES.join("|")}>`,
  help: "lora: a PEFT folder or GGUF LoRA adapter; gguf: a .gguf file; state: a safetensors state dict",
};

export const CONVERTER_MOD = defineCommand({
  name: "converter-mod",
  args: "paths",
  required: true,
  flags: [
    TYPE_FLAG,
    { name: "skills", kind: "list", required: true, value: "<a,b>", help: "what the module can do" },
    {
      name: "dtype",
      kind: "choice",
      choices: MODULE_DTYPES,
      value: "<int8|fp16>",
      help: "weight precision (default int8)",
    },
    {
      name: "device",
      kind: "choice",
      choices: DEVICE_CONSTRAINTS,
      value: "<any|cpu|cuda>",
      help: "where it may run (default any)",
    },
    { name: "id", kind: "string", value: "<id>", help: "module id (default: the output's file name)" },
    { name: "depends-on", kind: "list", value: "<a,b>", help: "modules that must be attached first" },
    {
      name: "base",
      kind: "string",
      value: "<model.gguf>",
      help: "the base model of a PEFT LoRA (architecture, head counts)",
    },
    {
      name: "description",
      kind: "string",
      value: "<text>",
      help: "what it does, in words (part of the capability vector)",
    },
  ],
  usage:
    ":converter-mod <dir|file> <out.capsulemod> --type lora|gguf|state --skills a,b [--dtype int8|fp16] [--device any|cpu|cuda] [--id id] [--depends-on a,b] [--base model.gguf] [--description text]",
  summary:
    "pack weights as a .capsulemod module (zstd tar: meta.json with skills and capability vector, weights, assets/)",
  long: true,
  positional: "paths",
  opens: "nothing",
  input: (parsed) => ({
    paths: parsed.words,
    type: flag<string>(parsed, "type"),
    skills: flag<string[]>(parsed, "skills"),
    dtype: flag<string>(parsed, "dtype"),
    device: flag<string>(parsed, "device"),
    id: flag<string>(parsed, "id"),
    dependsOn: flag<string[]>(parsed, "depends-on"),
    base: flag<string>(parsed, "base"),
    description: flag<string>(parsed, "description"),
  }),
  async run(context, args: ConverterModArgs, options) {
    const [input, out] = twoPaths(CONVERTER_MOD, args.paths);
    const embedder = context.interactive ? (await context.workbench()).store.embedder : undefined;
    const converted = await convertModule(input, out, {
      type: args.type as ModuleType,
      skills: typeof args.skills === "string" ? args.skills.split(",") : (args.skills ?? []),
      dtype: (args.dtype ?? "int8") as "int8",
      device: args.device as "any" | undefined,
      id: args.id,
      dependsOn: args.dependsOn,
      base: args.base,
      description: args.description,
      embedder,
      signal: options.signal,
      onProgress: progress(options, "converter-mod"),
    });
    return { kind: "module-converted", ...converted };
  },
  json: (result) => ({
    path: result.path,
    archiveBytes: result.bytes,
    ...result.meta,
    embed: `${result.meta.embed.length} numbers`,
  }),
});

/** Typed arguments of `converter-mod`. */
interface ConverterModArgs {
  paths: string[];
  type?: string;
  skills?: string[] | string;
  dtype?: string;
  device?: string;
  id?: string;
  dependsOn?: string[];
  base?: string;
  description?: string;
}

const MODULE_ACTIONS = ["add", "list", "remove", "lookup", "info", "route"] as const;

export const MODULE = defineCommand({
  name: "module",
  args: "text",
  required: false,
  words: MODULE_ACTIONS,
  flags: [{ name: "replace", kind: "boolean", help: "add: replace a registered module with the same id" }],
  usage:
    ":module list | add <file.capsulemod> [--replace] | remove <id> | lookup <skill> | info <id> | route <query>",
  summary:
    "the module registry ($SIGLA_MODULES): add (verified), list, remove, lookup by skill, info, and what the router picks for a query",
  positional: "action",
  opens: "nothing",
  input(parsed) {
    const [action = "list", ...rest] = parsed.words;
    return { action, value: rest.join(" ") || undefined, replace: parsed.flags.replace === true };
  },
  async run(context, args: { action?: string; value?: string; replace?: boolean }, options) {
    const action = args.action ?? "list";
    if (!(MODULE_ACTIONS as readonly string[]).includes(action)) {
      throw usageError(MODULE, `unknown action "${action}" (one of ${MODULE_ACTIONS.join(", ")})`);
    }
    if (action !== "list" && !args.value)
      throw usageError(
        MODULE,
        `${action} needs ${action === "add" ? "a file" : action === "lookup" ? "a skill" : action === "route" ? "a query" : "a module id"}`,
      );
    const value = args.value as string;
    return withModules(context, async ({ registry, router, loader }): Promise<ModulesResult> => {
      const result = (modules: ModuleSummary[]): ModulesResult => ({
        kind: "modules",
        action: action as ModulesResult["action"],
        modules,
      });
      switch (action) {
        case "add":
          return result([
            summary(await registry.add(value, { replace: args.replace, signal: options.signal })),
          ]);
        case "remove":
          if (loader.attached().some((m) => m.id === value)) await loader.detach(value);
          return result([summary(await registry.remove(value))]);
        case "lookup":
          return result((await registry.lookup(value)).map(summary));
        case "info":
          return result([summary(await registry.get(value))]);
        case "route": {
          const decision = await router.selectModules(value);
          const entries = await Promise.all(decision.modules.map((m) => registry.get(m.id)));
          return { ...result(entries.map(summary)), decision };
        }
        default:
          return result((await registry.list()).map(summary));
      }
    });
  },
  json: (result) => (result.decision ? result.decision : result.modules),
});

async function attachedResult(
  system: ModuleSystem,
  action: AttachedResult["action"],
  started: number,
  changed: string[] = [],
  evicted: string[] = [],
): Promise<AttachedResult> {
  return {
    kind: "attached",
    action,
    changed,
    evicted,
    attached: system.loader.attached(),
    usage: system.loader.usage(),
    budget: { ram: system.loader.ramBytes, vram: system.loader.vramBytes },
    ms: performance.now() - started,
  };
}

export const ATTACH = defineCommand({
  name: "attach",
  args: "word",
  required: false,
  flags: [],
  usage: ":attach [module id]",
  summary:
    "attach a registered module and what it depends on (a LoRA applies to the loaded GGUF model); the least recently used are detached past $SIGLA_MODULE_RAM_MB; without an id, list the attached",
  positional: "id",
  opens: "nothing",
  input: (parsed) => ({ id: parsed.words[0] }),
  async run(context, args: { id?: string }, options) {
    const started = performance.now();
    return withModules(context, async (system) => {
      if (!args.id) return attachedResult(system, "list", started);
      const done = await system.loader.attach(args.id, { signal: options.signal });
      return attachedResult(
        system,
        "attach",
        started,
        done.attached.map((m) => m.id),
        done.evicted,
      );
    });
  },
});

export const DETACH = defineCommand({
  name: "detach",
  args: "word",
  required: true,
  flags: [],
  usage: ":detach <module id>",
  summary: "detach a module (and the attached modules that depend on it), freeing its memory",
  positional: "id",
  opens: "nothing",
  input: (parsed) => ({ id: parsed.words[0] }),
  async run(context, args: { id: string }) {
    const started = performance.now();
    return withModules(context, async (system) => {
      const gone = await system.loader.detach(args.id);
      return attachedResult(system, "detach", started, gone);
    });
  },
});
