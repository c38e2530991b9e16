/**
 * The GGUF backend: llama.cpp through node-llama-cpp. Its npm package ships prebuilt CPU, CUDA and Vulkan
 * binaries; `gpu: "auto"` takes the best one that loads on this machine, `false` the CPU build, and
 * nothing is ever downloaded or compiled at run time (`build: "never"`). The file's header is checked
 * first ({@link readGgufHeader}), so a truncated or foreign file is a typed error, never a crash.
 *
 * A model with a chat template is prompted through node-llama-cpp's chat wrapper for it (the system
 * instruction goes where the template puts it); one without is run as plain completion. One context
 * with one sequence serves every call, so generations run one after another; `setAdapters` swaps that
 * context for one with other LoRA adapters between generations (./gguf-lora.ts).
 */
import type {
  ChatHistoryItem,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaModel,
} from "node-llama-cpp";
import { errorMessage, isSiglaError, ModelError } from "../errors.js";
import { describeGguf, readGgufHeader } from "./gguf-header.js";
import { AdaptedContext, type AdapterChoice, checkAdapters, loadedLoras } from "./gguf-lora.js";
import { checkPromptFits, generationLimit, pieceStream, Turns } from "./piece-stream.js";
import { type LlmSettings, threadCount } from "./profiles.js";
import type { GenerateOptions, ModelInfo, Runner } from "./runner.js";

/** What {@link loadGgufRunner} needs of the settings. */
export type GgufLoadSettings = Pick<LlmSettings, "gpu" | "contextSize" | "threads" | "batchSize">;

type NodeLlamaCpp = typeof import("node-llama-cpp");

/** Imported on first use: the package takes half a second to import, and most commands never need it. */
let library: Promise<NodeLlamaCpp> | undefined;
function nodeLlamaCpp(): Promise<NodeLlamaCpp> {
  library ??= import("node-llama-cpp");
  return library;
}

const llamas = new Map<string, Promise<Llama>>();

/** One llama.cpp binding per GPU choice for the whole process (loading one takes a second or two). */
function llamaFor(gpu: "auto" | false): Promise<Llama> {
  const key = String(gpu);
  let llama = llamas.get(key);
  if (!llama) {
    llama = nodeLlamaCpp()
      .then(({ getLlama, LlamaLogLevel }) =>
        getLlama({
          gpu,
          build: "never",
          skipDownload: true,
          progressLogs: false,
          logLevel: LlamaLogLevel.error,
          // Its own messages would repeat what our typed errors say.
          logger: () => undefined,
        }),
      )
      .catch((error: unknown) => {
        llamas.delete(key);
        throw new ModelError(
          "SIGLA_MODEL_LOAD",
          `llama.cpp cannot start (${errorMessage(error)}); reinstall node-llama-cpp so its prebuilt binary for ${process.platform}-${process.arch} is present`,
          { cause: error },
        );
      });
    llamas.set(key, llama);
  }
  return llama;
}

/** The model's weights, offloaded to the GPU as far as llama.cpp sees fit unless `gpu` is false. */
async function loadModel(llama: Llama, path: string, gpu: "auto" | false): Promise<LlamaModel> {
  try {
    return await llama.loadModel({ modelPath: path, gpuLayers: gpu === false ? 0 : "auto" });
  } catch (error) {
    throw new ModelError("SIGLA_MODEL_LOAD", `llama.cpp cannot load ${path}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** The model's one context with one sequence, with `adapters` applied. */
async function createContext(
  model: LlamaModel,
  path: string,
  { contextSize, threads, batchSize }: { contextSize: number; threads: number; batchSize: number },
  adapters: readonly AdapterChoice[] = [],
): Promise<LlamaContext> {
  try {
    return await model.createContext({
      contextSize,
      threads,
      batchSize: Math.min(batchSize, contextSize),
      sequences: 1,
      lora: adapters.length > 0 ? { adapters: [...adapters] } : undefined,
    });
  } catch (error) {
    throw new ModelError(
      "SIGLA_MODEL_LOAD",
      adapters.length > 0
        ? `cannot make a context for ${path} with adapters ${adapters.map((a) => a.filePath).join(", ")} (${errorMessage(error)})`
        : `cannot make a ${contextSize}-token context for ${path} (${errorMessage(error)}); lower SIGLA_LLM_CONTEXT`,
      { cause: error },
    );
  }
}

/** What a chat prompt and a plain completion are both given. */
interface PromptOptions {
  maxTokens: number;
  temperature: number;
  customStopTriggers: string[] | undefined;
  signal: AbortSignal;
  onTextChunk: (text: string) => void;
}

/** A prompt through the chat wrapper of the model's template, the system instruction where it puts it. */
async function promptChat(
  LlamaChatSession: NodeLlamaCpp["LlamaChatSession"],
  sequence: LlamaContextSequence,
  prompt: string,
  system: string | undefined,
  common: PromptOptions,
): Promise<void> {
  const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
  const history: ChatHistoryItem[] = system ? [{ type: "system", text: system }] : [];
  session.setChatHistory(history);
  try {
    await session.prompt(prompt, common);
  } finally {
    session.dispose({ disposeSequence: false });
  }
}

/** A plain completion for a model without a chat template; the system instruction leads the prompt. */
async function promptCompletion(
  LlamaCompletion: NodeLlamaCpp["LlamaCompletion"],
  sequence: LlamaContextSequence,
  prompt: string,
  system: string | undefined,
  common: PromptOptions,
): Promise<void> {
  const completion = new LlamaCompletion({ contextSequence: sequence });
  try {
    await completion.generateCompletion(system ? `${system}\n\n${prompt}` : prompt, common);
  } finally {
    completion.dispose({ disposeSequence: false });
  }
}

/**
 * Loads the GGUF model at `path` as a {@link Runner}.
 *
 * @throws ModelError SIGLA_MODEL_NOT_FOUND / SIGLA_MODEL_INVALID from the header check; SIGLA_MODEL_LOAD
 *   when llama.cpp cannot load the model or make its context (too little memory, an unknown architecture).
 */
export async function loadGgufRunner(path: string, settings: GgufLoadSettings): Promise<Runner> {
  const header = await readGgufHeader(path);
  const described = describeGguf(header);
  const llama = await llamaFor(settings.gpu);
  const { LlamaChatSession, LlamaCompletion } = await nodeLlamaCpp();
  const threads = threadCount(settings);
  const model = await loadModel(llama, path, settings.gpu);
  // More context than the model was trained on only produces garbage past that point.
  const contextSize = Math.min(settings.contextSize, described.contextLength ?? settings.contextSize);
  const sizes = { contextSize, threads, batchSize: settings.batchSize };
  const slot = new AdaptedContext((adapters) => createContext(model, path, sizes, adapters));
  await slot.open([]).catch(async (error: unknown) => {
    await model.dispose();
    throw error;
  });
  const chatTemplate = described.chatTemplate;

  const info: ModelInfo = {
    path,
    backend: "gguf",
    architecture: described.architecture,
    contextSize: slot.context.contextSize,
    chatTemplate,
    parameters: described.parameters,
    quantization: described.quantization,
    gpu: llama.gpu !== false && model.gpuLayers > 0,
  };

  const turns = new Turns();
  let embedding: Promise<LlamaEmbeddingContext> | undefined;
  let closed = false;
  const checkOpen = () => {
    if (closed) throw new ModelError("SIGLA_MODEL_LOAD", `the runner for ${path} is closed`);
  };
  const countTokens = (text: string) => model.tokenize(text).length;

  return {
    info,
    generate(prompt: string, options: GenerateOptions = {}): AsyncIterable<string> {
      const maxTokens = generationLimit(prompt, options);
      return pieceStream(async (emit, signal) => {
        checkOpen();
        checkPromptFits(
          countTokens(prompt) + (options.system ? countTokens(options.system) : 0),
          info.contextSize,
        );
        // One sequence: each generation waits for the one before it.
        await turns.run(async () => {
          const common = {
            maxTokens,
            temperature: options.temperature ?? 0,
            customStopTriggers: options.stop?.filter((s) => s !== ""),
            signal,
            onTextChunk: emit,
          };
          try {
            const { sequence } = slot;
            if (chatTemplate) await promptChat(LlamaChatSession, sequence, prompt, options.system, common);
            else await promptCompletion(LlamaCompletion, sequence, prompt, options.system, common);
          } catch (error) {
            if (signal.aborted || isSiglaError(error)) throw error;
            throw new ModelError(
              "SIGLA_MODEL_LOAD",
              `generation with ${path} failed: ${errorMessage(error)}`,
              {
                cause: error,
              },
            );
          }
        });
      }, options.signal);
    },
    async countTokens(text: string): Promise<number> {
      checkOpen();
      return countTokens(text);
    },
    async embed(texts: string[]): Promise<Float32Array[]> {
      checkOpen();
      embedding ??= model.createEmbeddingContext({ contextSize: Math.min(contextSize, 2048), threads });
      const ctx = await embedding;
      const vectors: Float32Array[] = [];
      for (const text of texts) vectors.push(Float32Array.from((await ctx.getEmbeddingFor(text)).vector));
      return vectors;
    },
    async setAdapters(list: readonly { path: string; scale?: number }[]): Promise<void> {
      checkOpen();
      const wanted = await checkAdapters(list, { path, header });
      const loaded = loadedLoras(model);
      await turns.run(async () => {
        checkOpen();
        await slot.swap(wanted, loaded);
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await turns.idle();
      if (embedding) await (await embedding).dispose();
      await slot.context.dispose();
      await model.dispose();
    },
  };
}
