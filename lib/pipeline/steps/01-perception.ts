/** Step 1, perception: strip control sequences, check length and language, read the distress signals. */
import { francAll } from "franc-min";
import { InvalidInputError } from "../../errors.js";
import { painOf } from "../metrics/index.js";
import type { Perceived, TurnContext } from "../turn.js";
import type { Step } from "./step.js";

/** Longer messages are cut here (the rest is named in the trace). */
export const MAX_MESSAGE_CHARS = 8000;

// ANSI CSI/OSC sequences, then other C0 controls except tab and newline.
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The message without terminal control sequences and control characters. */
export function stripControl(text: string): string {
  return text.replace(CONTROL, "");
}

/** Latin-script languages told apart; short texts lean to English unless another language clearly wins. */
const LATIN = ["eng", "deu", "fra", "spa", "ita", "por", "nld"];
const ENGLISH_MARGIN = 0.85;
const ENGLISH_MARGIN_SHORT = 0.75;

/** `eng`, `rus`, … (ISO 639-3) or `und` when the text is too short to tell. */
export function languageOf(text: string): string {
  // A Russian question names things in Latin script ("max_neighbors", "LanceDB"): more Cyrillic letters than Latin is Russian.
  const cyrillic = text.match(/\p{Script=Cyrillic}/gu)?.length ?? 0;
  if (cyrillic > 0 && cyrillic >= (text.match(/\p{Script=Latin}/gu)?.length ?? 0)) return "rus";
  const ranked = francAll(text, { minLength: 12, only: LATIN });
  const [top] = ranked[0];
  if (top === "und") return top;
  // franc's trigram scores are noisy on a one-line question: keep English when it scores close to the top.
  const english = ranked.find(([lang]) => lang === "eng")?.[1] ?? 0;
  const short = text.split(/\s+/).length < 8;
  return english >= (short ? ENGLISH_MARGIN_SHORT : ENGLISH_MARGIN) ? "eng" : top;
}

export const perception: Step<TurnContext, Perceived & Pick<TurnContext, "metrics">> = async (state) => {
  if (typeof state.raw !== "string") throw new InvalidInputError("a message must be a string");
  const stripped = stripControl(state.raw);
  let text = stripped.trim();
  if (text === "") throw new InvalidInputError("the message is empty (after removing control characters)");
  const truncated = text.length > MAX_MESSAGE_CHARS;
  if (truncated) text = text.slice(0, MAX_MESSAGE_CHARS);
  const language = languageOf(text);
  const pain = painOf(text);
  return {
    out: { text, language, metrics: { ...state.metrics, pain } },
    summary: `${text.length} chars, ${language}${truncated ? ", truncated" : ""}, pain ${pain.toFixed(2)}`,
    data: {
      chars: text.length,
      stripped: state.raw.length - stripped.length,
      truncated,
      language,
      pain,
    },
  };
};
