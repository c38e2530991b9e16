/**
 * Language-model commands: `sigla model pull|list|info` manage the model cache, `sigla run` streams a
 * model's answer to stdout as it is generated. Ctrl-C stops generation at the next token and says the
 * output is partial; nothing is ever downloaded except by `model pull`.
 */
import { type Command, Option } from "commander";
import { InvalidInputError, SiglaError } from "../errors.js";
import { listModels, type ModelFileInfo, modelInfo, openRunner, pullModel } from "../llm/models.js";
import { PROFILE_NAMES } from "../llm/profiles.js";
import { type Io, intOption, withInterrupt } from "./common.js";
import { progressBar } from "./progress-bar.js";

/** `--profile <name>`, shared by every command that loads a model. */
export const profileOption = () =>
  new Option("--profile <name>", "runtime profile (default $SIGLA_PROFILE or home-cpu)").choices(
    PROFILE_NAMES,
  );

function temperatureOption(value: string): number {
  const t = Number(value);
  if (value.trim() === "" || !Number.isFinite(t) || t < 0 || t > 2) {
    throw new InvalidInputError(`--temperature must be a number from 0 to 2, got "${value}"`);
  }
  return t;
}

function infoLines(info: ModelFileInfo): string {
  const rows: [string, unknown][] = [
    ["path", info.path],
    ["backend", info.backend],
    ["architecture", info.architecture],
    ["name", info.name],
    ["context length", info.contextLength],
    ["chat template", info.chatTemplate ? "yes" : "no"],
    ["parameters", info.parameters],
    ["quantization", info.quantization],
    ["bytes", info.bytes],
  ];
  return rows
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${value}\n`)
    .join("");
}

/** Registers `model pull|list|info` and `run` on the `sigla` program. */
export function addModelCommands(cli: Command, io: Io): void {
  const model = cli.command("model").description("language models in the model cache ($SIGLA_MODEL_CACHE)");

  model
    .command("pull")
    .description("download a model into the cache: hf:owner/repo[:quant] (GGUF) or owner/repo (ONNX)")
    .argument("<uri>", "hub URI or id")
    .addOption(profileOption())
    .option("--json", "print the result as JSON")
    .action(async (uri: string, opts) => {
      const bar = progressBar("pull");
      try {
        const pulled = await withInterrupt((signal) =>
          pullModel(uri, {
            profile: opts.profile,
            signal,
            onProgress: (p) => bar.update(p.loaded, p.total, p.file),
          }),
        );
        bar.stop();
        io.out(opts.json ? `${JSON.stringify(pulled)}\n` : `${pulled.spec} → ${pulled.path}\n`);
      } finally {
        bar.stop();
      }
    });

  model
    .command("list")
    .description("the models in the cache")
    .option("--json", "print as JSON")
    .action(async (opts) => {
      const models = await listModels();
      if (opts.json) io.out(`${JSON.stringify(models)}\n`);
      else if (models.length === 0) io.out("no models in the cache; `sigla model pull <uri>` adds one\n");
      else for (const m of models) io.out(`${m.spec}\t${m.backend}\t${m.path}\n`);
    });

  model
    .command("info")
    .description("what a model file, folder or cached model is, read without loading it")
    .argument("<spec>", ".gguf file, model folder or hub id")
    .option("--json", "print as JSON")
    .action(async (spec: string, opts) => {
      const info = await modelInfo(spec);
      io.out(opts.json ? `${JSON.stringify(info)}\n` : infoLines(info));
    });

  cli
    .command("run")
    .description("stream a language model's answer to a prompt (Ctrl-C stops it)")
    .argument("[model]", ".gguf file, model folder or hub id (default $SIGLA_LLM)")
    .requiredOption("-p, --prompt <text>", "the user message")
    .option("--system <text>", "a system instruction")
    .option(
      "--max-tokens <n>",
      "most tokens to generate (at most 32768)",
      intOption("--max-tokens", 32768),
      256,
    )
    .option("--temperature <t>", "0 is greedy", temperatureOption, 0)
    .option("--stop <text>", "stop at this string (repeatable)", (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .addOption(profileOption())
    .action(async (spec: string | undefined, opts) => {
      const runner = await openRunner(spec, { profile: opts.profile });
      let ended = true;
      try {
        await withInterrupt(async (signal) => {
          try {
            for await (const piece of runner.generate(opts.prompt, {
              maxTokens: opts.maxTokens,
              temperature: opts.temperature,
              system: opts.system,
              stop: opts.stop,
              signal,
            })) {
              io.out(piece);
              ended = piece.endsWith("\n");
            }
            if (!ended) io.out("\n");
          } catch (error) {
            if (!signal.aborted) throw error;
            if (!ended) io.out("\n");
            throw new SiglaError("SIGLA_CANCELLED", "generation was cancelled; the output above is partial");
          }
        });
      } finally {
        await runner.close();
      }
    });
}
