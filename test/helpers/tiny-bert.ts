/**
 * Writes a tiny BERT feature-extraction model in the transformers.js local layout (config.json,
 * tokenizer files, onnx/model.onnx and onnx/model_quantized.onnx) so the transformers backend can be
 * tested fully offline. Weights are seeded, so every run writes the same model. The word embeddings
 * are much larger than the other weights, which keeps a text's vector close to the average of its
 * words': texts that share words get similar vectors, unrelated texts do not.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type BertConfig,
  bertConfigToHf,
  buildBertModel,
  randomBertWeights,
} from "../../bench/fixtures/bert-graph.js";

/**
 * Options for {@link writeTinyBert}. The defaults (hidden 64, 2 layers, 4 heads) give a ~300 KB model that
 * loads in milliseconds; below 64 dims, unrelated texts start to look alike by chance.
 */
export interface TinyBertOptions {
  hiddenSize?: number;
  numLayers?: number;
  numHeads?: number;
  intermediateSize?: number;
  maxPositions?: number;
  seed?: number;
}

/** What {@link writeTinyBert} wrote. */
export interface TinyBert {
  dir: string;
  config: BertConfig;
  vocab: readonly string[];
}

const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

const WORDS = `the a an and or but if then than so as of to in on at by for with from into over under about
after before between through during without within up down out off again once here there when where why how
all any both each few more most other some such no not only own same too very can will just should now is are
was were be been being have has had do does did i you he she it we they me him her us them my your his its our
their this that these those what which who whom cat cats dog dogs bird fish horse cow animal pet mat sat sit
sitting sits chair table bed house home room door window kitchen garden tree trees flower grass park street
road city town country world car bus train plane bike ship boat water river sea lake rain snow sun sky wind
weather cold hot warm day night morning evening week month year time today yesterday tomorrow food bread
milk coffee tea apple fruit dinner lunch breakfast eat eats ate eating drink drinks cook cooking man woman
child children people family friend mother father brother sister baby boy girl teacher student doctor
school class lesson book books paper page story letter word words read reads reading write writes writing
music song play plays playing game games ball team run runs running walk walks walking jump swim fly sleep
sleeps sleeping work works working job money bank market markets stock stocks price prices company business
report news fell rise rose sharply quickly slowly today government law war peace computer computers data
memory model models network software code program programs language search query vector vectors graph index
store file files disk fast slow big small large little long short new old good bad great best better happy
sad red blue green black white dark light open close opened closed first last next one two three four five
ten hundred many much make makes made take takes took get gets got go goes went come comes came see sees saw
know knows knew think thinks thought say says said find finds found give gives gave tell tells told like
likes liked love loves loved want wants wanted need needs use uses used look looks looked feel feels felt`
  .split(/\s+/)
  .filter(Boolean);

const PIECES = ["##s", "##es", "##ed", "##ing", "##er", "##ers", "##ly", "##est", "##y", "##ness", "##ment"];
const PUNCTUATION = [".", ",", "!", "?", "'", '"', "-", ":", ";", "(", ")", "/", "&"];
const LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789".split("");

/**
 * The tiny vocabulary: special tokens first (ids 0–4), then real words, suffix pieces, punctuation, and
 * every letter and digit alone and as a `##` piece, so any lowercase word tokenizes without [UNK].
 */
export function tinyBertVocab(): string[] {
  const tokens = [
    ...SPECIAL_TOKENS,
    ...WORDS,
    ...PIECES,
    ...PUNCTUATION,
    ...LETTERS,
    ...LETTERS.map((c) => `##${c}`),
  ];
  return [...new Set(tokens)];
}

/** The tokenizer files of an uncased BERT WordPiece tokenizer over `vocab` (special tokens at 0–4). */
export function bertTokenizerFiles(vocab: readonly string[], maxLength: number): Record<string, unknown> {
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const special = (token: string) => ({
    id: ids[token],
    content: token,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const piece = (kind: "SpecialToken" | "Sequence", id: string, typeId: number) => ({
    [kind]: { id, type_id: typeId },
  });
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        piece("SpecialToken", "[CLS]", 0),
        piece("Sequence", "A", 0),
        piece("SpecialToken", "[SEP]", 0),
      ],
      pair: [
        piece("SpecialToken", "[CLS]", 0),
        piece("Sequence", "A", 0),
        piece("SpecialToken", "[SEP]", 0),
        piece("Sequence", "B", 1),
        piece("SpecialToken", "[SEP]", 1),
      ],
      special_tokens: Object.fromEntries(
        ["[CLS]", "[SEP]"].map((t) => [t, { id: t, ids: [ids[t]], tokens: [t] }]),
      ),
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
  const specialTokensMap = {
    cls_token: "[CLS]",
    mask_token: "[MASK]",
    pad_token: "[PAD]",
    sep_token: "[SEP]",
    unk_token: "[UNK]",
  };
  const tokenizerConfig = {
    ...specialTokensMap,
    clean_up_tokenization_spaces: true,
    do_basic_tokenize: true,
    do_lower_case: true,
    model_max_length: maxLength,
    never_split: null,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: "BertTokenizer",
  };
  return {
    "tokenizer.json": tokenizer,
    "tokenizer_config.json": tokenizerConfig,
    "special_tokens_map.json": specialTokensMap,
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Writes the tokenizer files of {@link bertTokenizerFiles} and `vocab.txt` into the existing folder `dir`. */
export async function writeBertTokenizer(
  dir: string,
  vocab: readonly string[],
  maxLength: number,
): Promise<void> {
  for (const [file, content] of Object.entries(bertTokenizerFiles(vocab, maxLength))) {
    await writeFile(join(dir, file), json(content));
  }
  await writeFile(join(dir, "vocab.txt"), `${vocab.join("\n")}\n`);
}

/**
 * Writes the tiny model into `dir` (created if needed) and returns its config. The quantised file is
 * really quantised (int8 weights, dynamic activation quantisation), so the default dtype "q8" runs the
 * same kind of graph as a hub model's `model_quantized.onnx`.
 */
export async function writeTinyBert(dir: string, options: TinyBertOptions = {}): Promise<TinyBert> {
  const vocab = tinyBertVocab();
  const config: BertConfig = {
    vocabSize: vocab.length,
    hiddenSize: options.hiddenSize ?? 64,
    numLayers: options.numLayers ?? 2,
    numHeads: options.numHeads ?? 4,
    intermediateSize: options.intermediateSize ?? 128,
    maxPositions: options.maxPositions ?? 128,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  };
  const weights = randomBertWeights(config, {
    seed: options.seed ?? 20240611,
    std: 0.02,
    wordEmbeddingStd: 1,
  });

  await mkdir(join(dir, "onnx"), { recursive: true });
  await writeFile(join(dir, "config.json"), json(bertConfigToHf(config, "sigla/tiny-bert")));
  await writeBertTokenizer(dir, vocab, config.maxPositions);
  await writeFile(join(dir, "onnx", "model.onnx"), buildBertModel(config, weights, { name: "tiny-bert" }));
  await writeFile(
    join(dir, "onnx", "model_quantized.onnx"),
    buildBertModel(config, weights, { name: "tiny-bert", quantize: true }),
  );
  return { dir, config, vocab };
}

/**
 * A toy BERT with MiniLM's vocabulary size (30522) and a 32-wide, 2-layer body: its token table dominates
 * the file as a real encoder's does, and it builds in milliseconds: the quantisation and fidelity tests' model.
 */
export const MINILM_VOCAB_TOY_BERT: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 128,
  maxPositions: 128,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};
