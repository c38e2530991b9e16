/**
 * `model` and `run`: the language model that writes the answers, the model cache (list, info, pull) and a
 * model's raw answer to a prompt, streamed as it is written.
 */
import { CancelledError } from "../errors.js";
import { listModels, modelInfo, openRunner, pullModel } from "../llm/models.js";
import { llmSettings, PROFILE_NAMES } from "../llm/profiles.js";
import type { Runner } from "../llm/runner.js";
import { openModules } from "../models/modules.js";
import { runCapsuleGraph } from "../models/run-capsulegraph.js";
import { defineCommand, flag } from "./definition.js";
import { type FlagSpec, usageError } from "./specs.js";
import type { CommandOptions, ModelCacheResult, ModelResult, RunCgResult, RunResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/** `--profile`: the runtime profile a model is loaded with. */
export const PROFILE_FLAG: FlagSpec = {
  name: "profile",
  kind: "choice",
  choices: PROFILE_NAMES,
  value: `<${PROFILE_NAMES.join("|")}>`,
  help: "runtime profile the model is loaded with (default $SIGLA_PROFILE, else home-cpu)",
};

/**
 * `:model [spec|off] [--profile p]`: the model that writes the answers; with a spec (a .gguf file, a model
 * folder, a cached hub id) loads it in place of the current one, `off` unloads it (the offline answerer).
 * An abort during the load leaves the current model in place (`SIGLA_CANCELLED`).
 */
export async function modelCommand(
  bench: Workbench,
  args: { spec?: string; profile?: string } = {},
  options: CommandOptions = {},
): Promise<ModelResult> {
  const changed = args.spec !== undefined;
  if (changed) {
    await bench.setModel(args.spec === "off" ? undefined : args.spec, args.profile, options.signal);
  } else if (args.profile !== undefined) {
    throw usageError(MODEL, "--profile needs a model");
  }
  const runner = bench.runner;
  return {
    kind: "model",
    changed,
    ...(runner ? { info: runner.info, profile: llmSettings(bench.profile).profile } : {}),
  };
}

/** `:model list|info <spec>|pull <uri>`: the model cache, read or filled without loading a model. */
export async function modelCacheCommand(
  args: { action: "list" | "info" | "pull"; spec?: string; profile?: string },
  options: CommandOptions = {},
): Promise<ModelCacheResult> {
  if (args.action === "list") return { kind: "model-cache", action: "list", models: await listModels() };
  if (!args.spec) throw usageError(MODEL, `${args.action} needs a model`);
  if (args.action === "info")
    return { kind: "model-cache", action: "info", info: await modelInfo(args.spec) };
  const pulled = await pullModel(args.spec, {
    profile: args.profile,
    signal: options.signal,
    onProgress: (p) =>
      options.onProgress?.({ job: "pull", done: p.loaded, total: p.total, unit: "bytes", label: p.file }),
  });
  return { kind: "model-cache", action: "pull", pulled };
}

/** The arguments of `:run`: the model, the prompt and the generation settings. */
export interface RunArgs {
  model?: string;
  prompt: string;
  system?: string;
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  profile?: string;
  /** Registered modules attached to the model first (a LoRA changes what it writes). */
  attach?: string[];
}

/**
 * `:run [model] -p <prompt>`: a model's answer to one prompt, each piece to `options.onToken` as it is
 * written. An abort stops generation at the next token: `SIGLA_CANCELLED`, the output so far is partial.
 */
export async function runModelCommand(args: RunArgs, options: CommandOptions = {}): Promise<RunResult> {
  const runner = await openRunner(args.model, { profile: args.profile });
  const modules = args.attach?.length ? await openModules({ runner }).catch(closing(runner)) : undefined;
  let text = "";
  try {
    for (const id of args.attach ?? []) await modules?.loader.attach(id, { signal: options.signal });
    for await (const piece of runner.generate(args.prompt, {
      maxTokens: args.maxTokens ?? 256,
      temperature: args.temperature ?? 0,
      system: args.system,
      stop: args.stop,
      signal: options.signal,
    })) {
      text += piece;
      options.onToken?.(piece);
    }
    return { kind: "run", text, partial: false };
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    throw new CancelledError("generation", { outcome: "the output above is partial" });
  } finally {
    await modules?.close();
    await runner.close();
  }
}

/** Closes `runner`, then rethrows: for a step that fails after the model loaded. */
function closing(runner: Runner): (error: unknown) => never {
  return (error) => {
    void runner.close();
    throw error;
  };
}

export const MODEL = defineCommand({
  name: "model",
  // A .gguf file or model folder (completed as a path), a hub id, off, or list / info <spec> / pull <uri>.
  args: "text",
  required: false,
  flags: [PROFILE_FLAG],
  usage:
    ":model [<file.gguf>|<hub id>|off] [--profile home-cpu|home-gpu] | :model list | :model info <spec> | :model pull <uri>",
  summary:
    "the language model that writes the answers (or the offline answerer): a model file, folder or hub id loads it, off unloads it; list, info and pull work on the model cache ($SIGLA_MODEL_CACHE)",
  long: true,
  positional: "spec",
  opens: "nothing",
  input(parsed) {
    const [first, second, ...extra] = parsed.words;
    if (extra.length > 0 || (second !== undefined && !["info", "pull"].includes(first))) {
      throw usageError(MODEL, `takes one model, got "${parsed.words.join(" ")}"`);
    }
    return (
      first === "info" || first === "pull"
        ? { action: first, spec: second, profile: flag<string>(parsed, "profile") }
        : { spec: first, profile: flag<string>(parsed, "profile") }
    ) as { spec?: string; profile?: string; action?: string };
  },
  async run(context, args: { spec?: string; profile?: string; action?: string }, options) {
    const action = args.action ?? (args.spec === "list" ? "list" : undefined);
    if (action === "list" || action === "info" || action === "pull") {
      return modelCacheCommand(
        { action, spec: args.spec === "list" ? undefined : args.spec, profile: args.profile },
        options,
      );
    }
    return modelCommand(await context.workbench(), args, options);
  },
  json(result) {
    if (result.kind === "model") return result;
    return result.models ?? result.info ?? result.pulled;
  },
});

export const RUN = defineCommand({
  name: "run",
  args: "word",
  required: false,
  flags: [
    { name: "prompt", short: "p", kind: "string", required: true, value: "<text>", help: "the user message" },
    { name: "system", kind: "string", value: "<text>", help: "a system instruction" },
    {
      name: "max-tokens",
      kind: "int",
      min: 1,
      max: 32768,
      value: "<n>",
      help: "most tokens to generate (default 256)",
    },
    { name: "temperature", kind: "number", min: 0, max: 2, value: "<t>", help: "0 is greedy (default 0)" },
    { name: "stop", kind: "string", repeat: true, value: "<text>", help: "stop at this string (repeatable)" },
    {
      name: "attach",
      kind: "list",
      value: "<id,id>",
      help: "attach these registered modules to the model first (a LoRA changes its output)",
    },
    PROFILE_FLAG,
  ],
  usage:
    ":run [model] -p <prompt> [--system text] [--max-tokens 256] [--temperature 0] [--stop s] [--attach id,id]",
  summary:
    "stream a language model's answer to a prompt (default model $SIGLA_LLM; a .capsulegraph runs as run-cg; Ctrl-C stops it)",
  long: true,
  positional: "model",
  opens: "nothing",
  input: (parsed) => ({
    model: parsed.words[0],
    prompt: flag<string>(parsed, "prompt") as string,
    system: flag<string>(parsed, "system"),
    maxTokens: flag<number>(parsed, "max-tokens"),
    temperature: flag<number>(parsed, "temperature"),
    stop: flag<string[]>(parsed, "stop"),
    profile: flag<string>(parsed, "profile"),
    attach: flag<string[]>(parsed, "attach"),
  }),
  async run(_context, args: RunArgs, options): Promise<RunResult | RunCgResult> {
    if (!args.model?.toLowerCase().endsWith(".capsulegraph")) return runModelCommand(args, options);
    const run = await runCapsuleGraph(args.model, {
      ...args,
      signal: options.signal,
      onToken: options.onToken,
    });
    return { kind: "run-cg", run };
  },
  json: (result) => result,
});
