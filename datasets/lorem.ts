/** The seed's §9 corpus: seeded lorem-ipsum paragraphs (one capsule each). */
import { LoremIpsum } from "lorem-ipsum";
import { seededRandom } from "../lib/random.js";

export function loremCorpus(count: number, seed = 1): string[] {
  const lorem = new LoremIpsum({
    random: seededRandom(seed),
    sentencesPerParagraph: { min: 3, max: 6 },
    wordsPerSentence: { min: 6, max: 14 },
  });
  return Array.from({ length: count }, () => lorem.generateParagraphs(1));
}
