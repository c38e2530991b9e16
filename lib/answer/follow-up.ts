/**
 * Follow-up resolution: "how does it work?", "and the default?", "а как это работает?" name nothing a
 * search can find, so they become questions about the session's topic ("how does LanceDB work?"). A message
 * that names its own subject is left as it is. English and Russian.
 */
import { attributeOf, isRussian, subjectOf, wordPattern } from "./question-type.js";
import { terms } from "./terms.js";

/** What `resolveFollowUp` fills a message's missing subject from: the session's topic or last question. */
export interface FollowUpContext {
  /** The session topic (its goal, or what the last answer was about). */
  topic?: string;
  /** The previous question; its subject stands in for a missing topic. */
  lastQuestion?: string;
}

/** Words that ask something without naming a subject ("work", "mean", "example", "подробнее"…), as stems. */
const EMPTY = new Set(
  terms(
    "work works working do does mean means use used happen happens explain tell more details detail example " +
      "examples else thing things stuff say go look like instead exactly again please ok okay so then also why " +
      "how what which when where who " +
      "работает работают работать значит означает делать сделать делает пример примеры подробнее подробно ещё " +
      "дальше насчёт насчет устроен устроено пожалуйста расскажи расскажите объясни объясните",
  ),
);
const PRONOUN = wordPattern(
  String.raw`\b(its|it|this|that|these|those|they|them|этот|эта|эти|это|оно|она|они|он|него|неё|нее|нему|ней|них|ним|нём|нем|его|её|их)\b`,
);
const CONNECTOR = wordPattern(String.raw`^\s*(and|so|but|also|ok|okay|then|а|и|но|ну|так)\b[,\s]*`);
const LEAD = wordPattern(
  String.raw`^\s*(what about|how about|а что насчёт|что насчёт|а как насчёт|как насчёт)\b`,
);
const WH = wordPattern(
  String.raw`^\s*(what|how|why|which|when|where|who|is|are|can|does|do|should|что|как|почему|зачем|какой|какая|какое|какие|когда|где|кто|сколько|можно)\b`,
);

/** A topic for the session: the given one, else the subject of the last question. */
function topicOf(context: FollowUpContext): string | undefined {
  const topic = context.topic?.trim();
  if (topic) return topic;
  const last = context.lastQuestion?.trim();
  if (!last) return undefined;
  return subjectOf(last) ?? last.replace(/[?!.\s]+$/u, "");
}

/** Content words that are neither empty nor attributes: what a message names of its own. */
function ownWords(text: string): string[] {
  return (text.match(/[\p{L}\p{N}][\p{L}\p{N}'_.-]*/gu) ?? []).filter((word) =>
    terms(word).some((t) => !EMPTY.has(t) && attributeOf(t) === undefined && attributeOf(word) === undefined),
  );
}

/** A name: a capital (past the message's first letter), a digit, an underscore or an inner dot (`HNSW`, `v2`, `file.ts`). */
const NAMED = /[\p{Lu}\d_]|\p{L}\.\p{L}/u;

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Rewrites a vague follow-up as a question about the session topic (`context.topic`, else the subject of
 * `context.lastQuestion`): its pronoun becomes the topic ("how does it work?" → "How does LanceDB work?");
 * without one, the topic is added ("and the default?" → "What is the default for LanceDB?", "а по
 * умолчанию?" → "Что по умолчанию у LanceDB?"). A specific message, or any message when there is no
 * topic, comes back unchanged with `resolved: false`.
 */
export function resolveFollowUp(
  text: string,
  context: FollowUpContext = {},
): { text: string; resolved: boolean } {
  const unchanged = { text, resolved: false };
  const topic = topicOf(context);
  if (typeof text !== "string" || !topic || text.trim() === "") return unchanged;
  const russian = isRussian(text);
  const rest = text.replace(CONNECTOR, "").trim();
  const bare = rest.replace(/[?!.…\s]+$/u, "");
  const pronoun = PRONOUN.exec(rest);
  // Vague: names nothing, or points at the topic with a pronoun and a verb or two ("how do I configure
  // it?"). A pronoun next to a name ("how does it compare to HNSW?") may point anywhere: left alone.
  const own = ownWords(rest);
  const named = own.some((w) => NAMED.test(rest.startsWith(w) ? w.slice(1) : w));
  const vague = own.length === 0 || (pronoun !== null && own.length <= 2 && !named);
  if (!vague) return unchanged;
  // "ok", "thanks!" are not questions at all.
  if (!pronoun && !text.includes("?") && !WH.test(rest) && !LEAD.test(rest)) return unchanged;
  let resolved: string;
  if (pronoun) {
    const replacement = pronoun[1].toLowerCase() === "its" ? `${topic}'s` : topic;
    resolved = `${rest.slice(0, pronoun.index)}${replacement}${rest.slice(pronoun.index + pronoun[0].length)}`;
    // "its default size?" → "What is LanceDB's default size?"
    if (pronoun.index === 0 && !russian && rest.endsWith("?")) resolved = `What is ${resolved}`;
  } else if (LEAD.test(rest) || bare === "") {
    // "what about the limits?" → "What about the limits for LanceDB?"
    const asked = bare.replace(LEAD, "").trim();
    const about = asked ? `${asked} ${russian ? "у" : "for"} ${topic}` : topic;
    resolved = russian ? `А что насчёт ${about}?` : `What about ${about}?`;
  } else if (WH.test(rest)) {
    // "why?" → "Why LanceDB?"; "which version?" → "Which version for LanceDB?"
    resolved = /\s/.test(bare) ? `${bare} ${russian ? "у" : "for"} ${topic}?` : `${bare} ${topic}?`;
  } else {
    resolved = russian ? `Что ${bare} у ${topic}?` : `What is ${bare} for ${topic}?`;
  }
  return { text: capitalize(resolved), resolved: true };
}
