/**
 * A seeded long multi-session conversation with questions about it, in the style of LoCoMo and
 * LongMemEval: one persona talks to an assistant over months (a dog, a job change, a house move, trips,
 * books, films, health, plans that change), between small talk. Facts are written from varied templates and
 * the questions are paraphrased away from their evidence ("we named him Biscuit" / "What is my dog called?"),
 * so word overlap alone does not answer them. Every question names the turns that answer it
 * (`<session>#<turn>`); for a fact that changed, only the turn with the latest value.
 *
 * Nothing is downloaded: names, titles and places come from the pools below, picked by the seed.
 */
import { InvalidInputError } from "../../lib/errors.js";
import { seededRandom } from "../../lib/random.js";

/** Who says a turn. */
export type ConversationRole = "user" | "assistant";

/** One turn of a session. */
export interface ConversationTurn {
  role: ConversationRole;
  text: string;
}

/** One session: an id, the ISO date (`YYYY-MM-DD`) it took place and its turns, alternating user/assistant. */
export interface ConversationSession {
  id: string;
  date: string;
  turns: ConversationTurn[];
}

/**
 * Kinds of question: a fact in one turn (`single-hop`), two facts from two sessions (`multi-hop`), an event
 * located in time or a time window in the question (`temporal`), a fact that changed where the latest value
 * is asked (`knowledge-update`), a fact with a near-duplicate about someone or something else
 * (`adversarial`), and a fact the assistant said (`assistant`).
 */
export type QuestionType =
  | "single-hop"
  | "multi-hop"
  | "temporal"
  | "knowledge-update"
  | "adversarial"
  | "assistant";

/** A question about the conversation with the ids (`<session>#<turn>`) of the turns that answer it. */
export interface ConversationQuestion {
  question: string;
  evidence: string[];
  type: QuestionType;
  /** ISO date the question is asked (after the last session); relative times ("last week") count from it. */
  askedAt?: string;
}

/** What {@link conversationFixture} returns. */
export interface ConversationFixture {
  sessions: ConversationSession[];
  questions: ConversationQuestion[];
}

/** Options of {@link conversationFixture}. */
export interface ConversationOptions {
  /** Number of sessions (default 24, at least 2). Every storyline is told whatever the count. */
  sessions?: number;
  /** Seed of every choice: names, values, templates, dates, placement, small talk (default 1). */
  seed?: number;
}

/** Default number of sessions: about 470 turns over seven months (January to August 2024). */
export const DEFAULT_SESSIONS = 24;
/** The first session's date; later ones follow every 6 to 13 days. */
const START_DATE = Date.UTC(2024, 0, 8);
const DAY_MS = 86_400_000;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** `n` distinct items in random order. */
function sample<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------- pools

const BREEDS = ["beagle", "border collie", "dachshund", "whippet", "corgi", "cocker spaniel", "greyhound"];
const DOG_NAMES = ["Biscuit", "Pepper", "Mochi", "Juniper", "Waffles", "Pickle", "Bruno", "Olive", "Nacho"];
const PARTNERS = ["Sam", "Alex", "Jordan", "Robin", "Chris", "Dana"];
const SISTERS = ["Maya", "Lena", "Priya", "Nora", "Ines", "Freya"];
const BROTHERS = ["Tom", "Diego", "Felix", "Omar", "Luca", "Rafe"];
const FRIENDS = ["Hannah", "Kenji", "Zoe", "Marco", "Aisha", "Ruth", "Yusuf", "Clara", "Ben", "Tilly"];
const MANAGERS = ["Gwen Okoro", "Martin Hale", "Sofia Brandt", "Raj Mehta", "Elena Voss", "Callum Reid"];
const COMPANIES = [
  "Northwind",
  "Brightline Labs",
  "Kestrel Systems",
  "Harbor Analytics",
  "Tidewater Health",
  "Larkspur Games",
  "Quillion",
  "Ferrous Robotics",
];
const ROLES = ["data analyst", "backend developer", "product designer", "QA lead", "UX researcher"];
const PROJECTS = ["billing", "search", "payments", "reporting", "onboarding", "mobile app"];
const TOWNS = [
  "Hove",
  "Leith",
  "Ashford",
  "Kilburn",
  "Didsbury",
  "Clifton",
  "Headingley",
  "Jesmond",
  "Frome",
];
const DESTINATIONS = [
  "Lisbon",
  "Kyoto",
  "Reykjavik",
  "Porto",
  "Vienna",
  "Tallinn",
  "Seville",
  "Bergen",
  "Oaxaca",
  "Naples",
  "Ljubljana",
];
const FOODS = ["grilled sardines", "street tacos", "fresh pasta", "pastries", "seafood stew", "dumplings"];
const CONFERENCES = ["DataConf", "DevSummit", "UX Forward", "QualityCon", "CloudCamp"];
const BOOKS: Array<[string, string]> = [
  ["The Glass Orchard", "Mira Talbot"],
  ["Salt and Signal", "Dev Okafor"],
  ["A Map of Small Hours", "Ilse Varga"],
  ["The Ninth Lantern", "Corin Hale"],
  ["Quiet Engines", "Ada Morrow"],
  ["Winter Ledger", "Tomas Reyes"],
  ["The Paper Coast", "Nell Ashby"],
  ["Harrow Bright", "Simone Adler"],
];
const FILMS = [
  "Northern Static",
  "The Long Tide",
  "Copperhead Summer",
  "Paper Moons",
  "Low Orbit",
  "Night Ferry",
  "The Cartographer",
];
const LANGUAGES = ["Portuguese", "Japanese", "Italian", "Korean", "Spanish", "German"];
const OLD_CARS = ["Ford Fiesta", "Vauxhall Corsa", "Renault Clio", "Peugeot 206"];
const NEW_CARS = ["Nissan Leaf", "Toyota Prius", "Kia Niro", "Skoda Octavia estate"];
const COLOURS = ["sage green", "terracotta", "navy blue", "warm ochre", "dusty pink", "charcoal grey"];
const FRAMES = ["tortoiseshell", "thin gold", "clear plastic", "black rectangular"];
const DISHES = [
  "mushroom risotto with crispy sage",
  "roasted squash and feta tart",
  "aubergine and chickpea curry",
  "spinach and ricotta cannelloni",
];
const GIFTS = [
  "a pottery class for two",
  "a framed map of the place you first met",
  "a hot-air balloon voucher",
  "a subscription to a small-batch coffee roaster",
];
const STRETCHES = [
  ["the standing quad stretch", "a slow hamstring fold"],
  ["a calf stretch against a wall", "the pigeon pose"],
  ["hip flexor lunges", "a figure-four stretch"],
];
const WEDDING_PLACES = [
  "a barn near Bath",
  "a vineyard in Porto",
  "a lighthouse in Cornwall",
  "a castle in Fife",
];
const DEPARTMENTS = ["marketing", "customer support", "logistics", "finance"];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday"];
const CITIES = ["Glasgow", "Bristol", "Dublin", "Rotterdam", "Lyon", "Cardiff", "Galway"];
const BROTHER_JOBS: Array<[string, string]> = [
  ["a sous-chef", "a seafood restaurant"],
  ["a paramedic", "the ambulance service"],
  ["a site engineer", "a wind farm company"],
  ["a teacher", "a primary school"],
];
const RESTAURANTS = [
  "a tiny Sichuan place",
  "the rooftop tapas bar",
  "a Georgian bakery-restaurant",
  "an old-school pizzeria",
];
const ALLERGIES = ["cats", "hazelnuts", "birch pollen", "penicillin"];
const GRADES: Array<[string, string]> = [
  ["V1", "V3"],
  ["V2", "V4"],
  ["V0", "V2"],
];
const CROPS: Array<[string, string]> = [
  ["tomatoes and basil", "chillies and runner beans"],
  ["courgettes and lettuce", "kale and leeks"],
  ["strawberries and mint", "garlic and broad beans"],
];
const PODCASTS: Array<[string, string]> = [
  ["Slow Radio Hour", "a calm show about how everyday things are made"],
  ["The Long Way Round", "true stories of journeys that went wrong"],
  ["Small Histories", "twenty-minute episodes on forgotten inventions"],
];

/** Everything the storylines are told about, drawn once per seed. */
interface Persona {
  breed: string;
  dog: string;
  breed2: string;
  dog2: string;
  partner: string;
  sister: string;
  brother: string;
  friend: string;
  friend2: string;
  manager: string;
  company1: string;
  company2: string;
  role1: string;
  role2: string;
  project: string;
  town1: string;
  town2: string;
  dest1: string;
  dest2: string;
  dest3: string;
  food: string;
  conference: string;
  books: Array<[string, string]>;
  recBook: [string, string];
  films: string[];
  language: string;
  oldCar: string;
  newCar: string;
  colour1: string;
  colour2: string;
  frames: string;
  dish: string;
  gift: string;
  stretches: string[];
  weddingPlace: string;
  department: string;
  potteryDay: string;
  sisterCity: string;
  brotherJob: [string, string];
  restaurant: string;
  allergy: string;
  grades: [string, string];
  crops: [string, string];
  podcast: [string, string];
  raisePercent: number;
  km1: number;
  km2: number;
  dogKilos: number;
  restDays: number;
  savingsMonths: number;
}

function drawPersona(rng: Rng): Persona {
  const [breed, breed2] = sample(rng, BREEDS, 2);
  const [dog, dog2] = sample(rng, DOG_NAMES, 2);
  const [company1, company2] = sample(rng, COMPANIES, 2);
  const [role1, role2] = sample(rng, ROLES, 2);
  const [town1, town2] = sample(rng, TOWNS, 2);
  const [dest1, dest2, dest3] = sample(rng, DESTINATIONS, 3);
  const [friend, friend2] = sample(rng, FRIENDS, 2);
  const books = sample(rng, BOOKS, 4);
  const [colour1, colour2] = sample(rng, COLOURS, 2);
  const km1 = int(rng, 8, 15);
  return {
    breed,
    dog,
    breed2,
    dog2,
    partner: pick(rng, PARTNERS),
    sister: pick(rng, SISTERS),
    brother: pick(rng, BROTHERS),
    friend,
    friend2,
    manager: pick(rng, MANAGERS),
    company1,
    company2,
    role1,
    role2,
    project: pick(rng, PROJECTS),
    town1,
    town2,
    dest1,
    dest2,
    dest3,
    food: pick(rng, FOODS),
    conference: pick(rng, CONFERENCES),
    books: books.slice(0, 3),
    recBook: books[3],
    films: sample(rng, FILMS, 3),
    language: pick(rng, LANGUAGES),
    oldCar: pick(rng, OLD_CARS),
    newCar: pick(rng, NEW_CARS),
    colour1,
    colour2,
    frames: pick(rng, FRAMES),
    dish: pick(rng, DISHES),
    gift: pick(rng, GIFTS),
    stretches: pick(rng, STRETCHES),
    weddingPlace: pick(rng, WEDDING_PLACES),
    department: pick(rng, DEPARTMENTS),
    potteryDay: pick(rng, DAYS),
    sisterCity: pick(rng, CITIES),
    brotherJob: pick(rng, BROTHER_JOBS),
    restaurant: pick(rng, RESTAURANTS),
    allergy: pick(rng, ALLERGIES),
    grades: pick(rng, GRADES),
    crops: pick(rng, CROPS),
    podcast: pick(rng, PODCASTS),
    raisePercent: pick(rng, [5, 8, 10, 12]),
    km1,
    km2: km1 + int(rng, 8, 16),
    dogKilos: int(rng, 7, 14),
    restDays: int(rng, 5, 12),
    savingsMonths: int(rng, 3, 6),
  };
}

// ---------------------------------------------------------------------------------------------- storylines

/** One line of an episode; `mark` names a fact turn that questions point to. */
interface Line {
  role: ConversationRole;
  text: string;
  mark?: string;
}

/** A short exchange (user first, even length) placed in one session. */
interface Episode {
  /** Where in the timeline it happens, 0 (first session) to 1 (last). */
  at: number;
  /** A kind shared by comparable episodes (books, films…), for questions like "Which film did I see in May?". */
  kind?: string;
  lines: Line[];
}

/** Looks up where the marked turns landed. */
interface Placement {
  id(mark: string): string;
  /** ISO date of the session holding the mark. */
  date(mark: string): string;
  /** Marks of every episode of a kind (the episode's first marked line). */
  ofKind(kind: string): string[];
  askedAt: string;
}

type QuestionMaker = (where: Placement) => ConversationQuestion | undefined;

interface Storyline {
  episodes: Episode[];
  questions: QuestionMaker[];
}

const user = (text: string, mark?: string): Line => ({ role: "user", text, mark });
const bot = (text: string, mark?: string): Line => ({ role: "assistant", text, mark });

/** A question about fixed evidence marks. */
function ask(type: QuestionType, question: string, ...marks: string[]): QuestionMaker {
  return (where) => ({ question, evidence: marks.map((m) => where.id(m)), type, askedAt: where.askedAt });
}

function monthOf(isoDay: string): string {
  return MONTHS[Number(isoDay.slice(5, 7)) - 1];
}

/**
 * "Which <thing> did I … in <Month>?" for a mark whose kind has no other episode in that month (the question
 * would be ambiguous otherwise).
 */
function askInMonth(kind: string, mark: string, template: (month: string) => string): QuestionMaker {
  return (where) => {
    const month = where.date(mark).slice(0, 7);
    const same = where.ofKind(kind).filter((m) => where.date(m).slice(0, 7) === month);
    if (same.length !== 1) return undefined;
    return {
      question: template(monthOf(where.date(mark))),
      evidence: [where.id(mark)],
      type: "temporal",
      askedAt: where.askedAt,
    };
  };
}

/** Relative windows a question can name, as [from, to) day offsets before the asking date. */
const RELATIVE: Array<{ phrase: string; window: (askedAt: number) => [number, number] }> = [
  {
    phrase: "last week",
    window: (now) => {
      const monday = now - ((new Date(now).getUTCDay() + 6) % 7) * DAY_MS;
      return [monday - 7 * DAY_MS, monday];
    },
  },
  { phrase: "a few days ago", window: (now) => [now - 6 * DAY_MS, now] },
  {
    phrase: "last month",
    window: (now) => {
      const d = new Date(now);
      return [
        Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1),
        Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
      ];
    },
  },
];

/** "Which <thing> did I … <last week>?" for the first relative window holding exactly this one episode. */
function askRelative(kind: string, mark: string, template: (phrase: string) => string): QuestionMaker {
  return (where) => {
    const now = Date.parse(where.askedAt);
    for (const { phrase, window } of RELATIVE) {
      const [from, to] = window(now);
      const inside = (m: string) => Date.parse(where.date(m)) >= from && Date.parse(where.date(m)) < to;
      const hits = where.ofKind(kind).filter(inside);
      if (hits.length === 1 && hits[0] === mark) {
        return {
          question: template(phrase),
          evidence: [where.id(mark)],
          type: "temporal",
          askedAt: where.askedAt,
        };
      }
    }
    return undefined;
  };
}

function dogStory(p: Persona, rng: Rng): Storyline {
  const breedCap = capital(p.breed);
  return {
    episodes: [
      {
        at: 0.12,
        lines: [
          user(
            pick(rng, [
              `Big news: we finally adopted a ${p.breed} puppy at the weekend! We named him ${p.dog}.`,
              `So we did it — there's a little ${p.breed} living with us now. ${p.partner} picked the name ${p.dog}.`,
              `Guess who has a new family member? A ${p.breed} pup called ${p.dog}, eleven weeks old and full of mischief.`,
            ]),
            "adopt",
          ),
          bot(
            pick(rng, [
              `Congratulations! ${breedCap}s are such characterful companions. How is he settling in?`,
              "That's wonderful news — the first weeks with a puppy are chaotic but fun. Has he slept through the night yet?",
            ]),
          ),
          user("Not yet, he cries at 3am and then wants to play. I'm running on coffee."),
          bot(
            "A crate with a blanket that smells of you often helps, and a last trip outside just before bed. It gets better within a few weeks.",
            "crate-advice",
          ),
        ],
      },
      {
        at: 0.26,
        kind: "advice",
        lines: [
          user(
            pick(rng, [
              `${p.dog} pulls so hard on walks that my shoulder aches afterwards. Any ideas?`,
              `Walking ${p.dog} is a tug of war every morning, he drags me down the street towards every smell.`,
            ]),
            "leash-ask",
          ),
          bot(
            pick(rng, [
              "Switch to a front-clip harness, and stop dead every time the lead goes tight — he learns that straining gets him nowhere. Five minutes of practice twice a day beats one long battle.",
              "A front-clip harness will turn him gently back towards you. Pair it with treats at your knee and freeze whenever the lead goes taut; consistency matters more than session length.",
            ]),
            "leash-advice",
          ),
        ],
      },
      {
        at: 0.42,
        lines: [
          user(
            pick(rng, [
              `${p.dog} chewed through my brand-new running shoes while I was on a call. Both of them.`,
              `Came home to find my new trainers shredded — ${p.dog} had a feast on them while I was out.`,
            ]),
            "shoes",
          ),
          bot(
            pick(rng, [
              "Oh no, your trainers! Young dogs go for anything that smells of their people. A chew toy by the door and shoes on a high shelf should save the next pair.",
              "Sorry about the shoes. Puppies chew when they're bored or teething — keep footwear out of reach and offer a frozen chew instead.",
            ]),
          ),
        ],
      },
      {
        at: 0.56,
        kind: "health",
        lines: [
          user(
            pick(rng, [
              `Took ${p.dog} for his booster jabs today; the vet weighed him at ${p.dogKilos} kilos and says he's perfectly healthy.`,
              `Vet visit done — ${p.dog} is ${p.dogKilos} kilos now and got a clean bill of health, plus a lot of treats.`,
            ]),
            "vet",
          ),
          bot(
            pick(rng, [
              "Glad the check-up went well — a healthy weight at his age is a good sign.",
              "Good news from the vet, then. Sounds like he is growing nicely.",
            ]),
          ),
        ],
      },
      {
        at: 0.3,
        lines: [
          user(
            pick(rng, [
              `My sister ${p.sister} caved and got a ${p.breed2} as well — hers is called ${p.dog2}.`,
              `${p.sister} has a dog now too! A ${p.breed2} named ${p.dog2}, who is slightly terrified of ${p.dog}.`,
            ]),
            "sister-dog",
          ),
          bot(
            pick(rng, [
              "Your sister has a puppy as well? Walks together will be fun once they get used to each other.",
              "Dog cousins! Your sister picked a lovely breed.",
            ]),
          ),
        ],
      },
    ],
    questions: [
      ask(
        "single-hop",
        pick(rng, ["What is the name of the dog?", "What did we end up calling our dog?"]),
        "adopt",
      ),
      ask("single-hop", "What breed is our dog?", "adopt"),
      ask("temporal", "When did we bring our dog home?", "adopt"),
      ask("multi-hop", "What breed is the animal that destroyed my sneakers?", "shoes", "adopt"),
      ask(
        "assistant",
        pick(rng, [
          "What did you recommend to stop the yanking on the lead?",
          "What equipment did you suggest for the pulling problem?",
        ]),
        "leash-advice",
      ),
      ask("single-hop", "How much did the dog weigh at his last check-up?", "vet"),
      ask("assistant", "What did you suggest for the puppy's night-time crying?", "crate-advice"),
      ask("adversarial", "What is my sister's dog called?", "sister-dog"),
      ask("adversarial", "Which breed did my sister choose?", "sister-dog"),
    ],
  };
}

function jobStory(p: Persona, rng: Rng): Storyline {
  return {
    episodes: [
      {
        at: 0.04,
        lines: [
          user(
            pick(rng, [
              `Long day at ${p.company1} again. Being the only ${p.role1} there means every fire lands on my desk.`,
              `I'm wiped. ${p.company1} has me working as a ${p.role1} for three teams at once and nobody seems to notice.`,
            ]),
            "old-job",
          ),
          bot(
            pick(rng, [
              "That sounds exhausting — covering for several teams in one job wears anyone down. Is it a temporary crunch?",
              "Being stretched that thin at work is draining. Has it been like this for a while?",
            ]),
          ),
          user("For about a year, honestly. I'm starting to look around."),
          bot(
            "That's reasonable. It might help to write down what you'd want from the next place before you start applying.",
          ),
        ],
      },
      {
        at: 0.3,
        lines: [
          user(
            pick(rng, [
              `Had the final-round interview at ${p.company2} this afternoon — they're hiring a ${p.role2}.`,
              `Final interview done with ${p.company2}! It's for a ${p.role2} position, the panel was friendly.`,
            ]),
            "interview",
          ),
          bot(
            pick(rng, [
              "Fingers crossed for the job! When do they expect to get back to you?",
              "Well done for getting to the last round of interviews. When will you hear back?",
            ]),
          ),
        ],
      },
      {
        at: 0.42,
        lines: [
          user(
            pick(rng, [
              `First day at ${p.company2} today! New laptop, new badge, far too many names to remember.`,
              `Today was day one at ${p.company2}. The onboarding was a blur but people seem kind.`,
            ]),
            "first-day",
          ),
          bot(
            pick(rng, [
              "Congratulations on starting the new job! The first week is always a firehose; be gentle with yourself.",
              "Exciting — a new employer, a fresh start. Give yourself a few weeks to find your feet.",
            ]),
          ),
        ],
      },
      {
        at: 0.7,
        lines: [
          user(
            pick(rng, [
              `My manager at the new place, ${p.manager}, asked me to lead the ${p.project} migration. Slightly terrifying.`,
              `${p.manager}, my new boss, just handed me the ${p.project} migration to run. No pressure then.`,
            ]),
            "manager",
          ),
          bot(
            pick(rng, [
              "Your boss giving you a project to lead this early is a sign of trust. Want to sketch a plan together?",
              "Leading a migration is a big responsibility, and a compliment from your manager. Want help planning it?",
            ]),
          ),
        ],
      },
      {
        at: 0.28,
        lines: [
          user(
            pick(rng, [
              `${p.partner} got promoted to head of ${p.department}! We're celebrating with takeaway tonight.`,
              `Proud moment: ${p.partner} is now running the whole ${p.department} team.`,
            ]),
            "partner-job",
          ),
          bot(
            pick(rng, [
              "A promotion for your partner — brilliant news, please pass on my congratulations!",
              "That's a big step up for them. Leading a whole department is quite something!",
            ]),
          ),
        ],
      },
    ],
    questions: [
      ask(
        "knowledge-update",
        pick(rng, ["Which company am I employed by now?", "Where do I currently work?"]),
        "first-day",
      ),
      ask("temporal", "When did I start the new job?", "first-day"),
      ask("single-hop", "What was my position before I changed employers?", "old-job"),
      ask("multi-hop", `Who is my boss at ${p.company2}?`, "manager", "first-day"),
      ask("single-hop", "What project was I put in charge of?", "manager"),
      ask("single-hop", "Which role was I interviewing for?", "interview"),
      ask("adversarial", "What new position did my partner get?", "partner-job"),
    ],
  };
}

function homeStory(p: Persona, rng: Rng): Storyline {
  return {
    episodes: [
      {
        at: 0.08,
        lines: [
          user(
            pick(rng, [
              `Our little flat in ${p.town1} has the best bakery downstairs, but the walls are paper thin and the people upstairs stomp about all night.`,
              `The neighbours in ${p.town1} were having a party again until 2am. I do love the flat, just not at night.`,
            ]),
            "old-home",
          ),
          bot(
            pick(rng, [
              "Noisy neighbours are exhausting. Earplugs and a white-noise app can take the edge off.",
              "Loud neighbours can ruin a place. Have you thought about moving somewhere quieter?",
            ]),
          ),
        ],
      },
      {
        at: 0.62,
        lines: [
          user(
            pick(rng, [
              `We got the keys! We've moved into a terraced house in ${p.town2}, boxes everywhere.`,
              `Moving day is done — we're officially living in ${p.town2} now, in a house with an actual garden.`,
            ]),
            "new-home",
          ),
          bot(
            pick(rng, [
              "Congratulations on the new home! Unpack the kettle and the bed first, the rest can wait.",
              "Moving house is exhausting but worth it. Enjoy the garden!",
            ]),
          ),
        ],
      },
      {
        at: 0.22,
        kind: "plan",
        lines: [
          user(
            pick(rng, [
              `I want to repaint the living room this spring. Leaning towards ${p.colour1}.`,
              `Thinking of doing the living room walls in ${p.colour1} — the beige is depressing me.`,
            ]),
            "paint-plan",
          ),
          bot(
            pick(rng, [
              "A new wall colour would warm the room up. Try a couple of sample pots first.",
              "Repainting is a cheap way to change a room. Test patches in daylight and lamplight before you commit.",
            ]),
          ),
        ],
      },
      {
        at: 0.66,
        lines: [
          user(
            pick(rng, [
              `Scrapped the ${p.colour1} idea. The lounge in the new house is going to be ${p.colour2}.`,
              `Change of heart on the paint: we're going with ${p.colour2} for the lounge instead of ${p.colour1}.`,
            ]),
            "paint-final",
          ),
          bot(
            pick(rng, [
              "Good call to choose the paint once you saw the light in the new house.",
              "Changing the colour plan makes sense in a different room. Post a picture when it's done!",
            ]),
          ),
        ],
      },
      {
        at: 0.16,
        lines: [
          user(
            pick(rng, [
              `The old ${p.oldCar} failed its inspection again — the mechanic says the clutch is finished.`,
              `Our ${p.oldCar} is dying: the clutch slips on every hill and the garage wants a fortune.`,
            ]),
            "old-car",
          ),
          bot(
            pick(rng, [
              "Car trouble again? Might be the moment to compare the repair bill with a replacement.",
              "A worn-out clutch is expensive. Worth checking what a newer car would cost.",
            ]),
          ),
        ],
      },
      {
        at: 0.54,
        lines: [
          user(
            pick(rng, [
              `We finally replaced the old banger — picked up a second-hand ${p.newCar} on Saturday.`,
              `New wheels! Well, new to us: a used ${p.newCar}. It's so quiet compared with the old one.`,
            ]),
            "new-car",
          ),
          bot(
            pick(rng, [
              "Enjoy the new car! A quiet drive makes the commute a lot less tiring.",
              "Congratulations on the car. Used models are often the smartest buy.",
            ]),
          ),
        ],
      },
    ],
    questions: [
      ask(
        "knowledge-update",
        pick(rng, ["Where do I live at the moment?", "Which town is home these days?"]),
        "new-home",
      ),
      ask("adversarial", "Where was the place with the noisy neighbours?", "old-home"),
      ask("temporal", "When did we relocate?", "new-home"),
      ask("knowledge-update", "What colour are we painting the living room in the end?", "paint-final"),
      ask("knowledge-update", `Is the lounge still going to be ${p.colour1}?`, "paint-final"),
      askInMonth("plan", "paint-plan", (m) => `What home improvement was I planning in ${m}?`),
      ask("knowledge-update", "What vehicle do we drive nowadays?", "new-car"),
      ask("adversarial", "What was wrong with our previous vehicle?", "old-car"),
      ask("temporal", "When did we buy the replacement car?", "new-car"),
    ],
  };
}

function fitnessStory(p: Persona, rng: Rng): Storyline {
  const [s1, s2] = p.stretches;
  return {
    episodes: [
      {
        at: 0.1,
        lines: [
          user(
            pick(rng, [
              `I've started running again — about ${p.km1} km a week so far, mostly slow loops of the park.`,
              `Running log: ${p.km1} kilometres this week. Slow, but I'm out there.`,
            ]),
            "km1",
          ),
          bot(
            pick(rng, [
              "Great start with the running. Building up slowly is the best way to stay injury-free.",
              "Good to hear you're jogging again — slow and steady builds the habit.",
            ]),
          ),
        ],
      },
      {
        at: 0.14,
        kind: "advice",
        lines: [
          user("What should I do after a jog so my legs don't seize up the next day?", "stretch-ask"),
          bot(
            `Try ${s1} and ${s2}, thirty seconds each side, while you're still warm. A short walk to cool down helps too.`,
            "stretch-advice",
          ),
        ],
      },
      {
        at: 0.5,
        lines: [
          user(
            pick(rng, [
              `Running update: I'm up to ${p.km2} km a week and my knees are holding up.`,
              `Running log: ${p.km2} kilometres this week! Never thought I'd get here.`,
            ]),
            "km2",
          ),
          bot(
            pick(rng, [
              "That's a big jump in mileage from where you started. Keep one easy week in every four.",
              "Your distance has really grown. Remember to rest so your joints keep up.",
            ]),
          ),
        ],
      },
      {
        at: 0.58,
        kind: "advice",
        lines: [
          user(
            pick(rng, [
              "I rolled my ankle on a trail this morning. It's puffy but I can walk. How long should I stay off it?",
              "Turned my ankle on a tree root today — swollen, not terrible. How long before I can go out again?",
            ]),
            "ankle-ask",
          ),
          bot(
            `For a mild sprain, rest it for about ${p.restDays} days, ice it twenty minutes at a time and keep it raised. If it still hurts to bear weight after that, get it checked.`,
            "ankle-advice",
          ),
        ],
      },
    ],
    questions: [
      ask(
        "knowledge-update",
        pick(rng, ["How far do I run per week these days?", "What's my weekly running distance now?"]),
        "km2",
      ),
      ask(
        "multi-hop",
        "By how much did my weekly running distance grow since I took it up again?",
        "km1",
        "km2",
      ),
      ask("assistant", "Which stretches did you recommend for after a run?", "stretch-advice"),
      ask("assistant", "How long did you tell me to rest my injured foot?", "ankle-advice"),
      ask("temporal", "When did I hurt my ankle?", "ankle-ask"),
    ],
  };
}

function travelStory(p: Persona, rng: Rng): Storyline {
  return {
    episodes: [
      {
        at: 0.2,
        kind: "plan",
        lines: [
          user(
            pick(rng, [
              `${p.partner} and I are thinking about ${p.dest1} for our summer holiday — cheap flights and lots of walking.`,
              `Holiday plotting has begun: ${p.dest1} in the summer, if we can get the time off.`,
            ]),
            "trip-plan",
          ),
          bot(
            pick(rng, [
              `${p.dest1} would be a lovely holiday. Do you want a slow week in one place or a bit of moving around?`,
              "A summer trip sounds wonderful. Have you looked at where to stay yet?",
            ]),
          ),
        ],
      },
      {
        at: 0.24,
        kind: "advice",
        lines: [
          user(
            "Can you suggest a novel for a long flight? Something gripping but not too heavy.",
            "book-ask",
          ),
          bot(
            `Try "${p.recBook[0]}" by ${p.recBook[1]} — short chapters, a twisty plot and an ending you won't see coming.`,
            "book-advice",
          ),
        ],
      },
      {
        at: 0.46,
        lines: [
          user(
            pick(rng, [
              `Change of plan for the summer: we're going to ${p.dest2} instead, ${p.dest1} got far too pricey.`,
              `We've switched the summer trip to ${p.dest2}. Flights to ${p.dest1} doubled overnight.`,
            ]),
            "trip-final",
          ),
          bot(
            pick(rng, [
              `${p.dest2} is a great alternative destination. Book accommodation early, summer fills up fast.`,
              "Sensible to switch when prices jump. The new destination sounds great.",
            ]),
          ),
        ],
      },
      {
        at: 0.68,
        kind: "trip",
        lines: [
          user(
            pick(rng, [
              `Back from the holiday! The ${p.food} alone were worth the trip, we ate them every single day.`,
              `Home again and already missing it. I'm going to dream about those ${p.food} for months.`,
            ]),
            "trip-back",
          ),
          bot(
            pick(rng, [
              "Welcome back from your trip! Sounds like the food was the highlight.",
              "Glad the holiday was a success — eating the local speciality every day is the right approach.",
            ]),
          ),
        ],
      },
      {
        at: 0.84,
        kind: "trip",
        lines: [
          user(
            pick(rng, [
              `I'm off to ${p.dest3} next week for ${p.conference} — my first work trip with the new team.`,
              `${p.conference} is in ${p.dest3} this year and they're sending me. Work trip number one!`,
            ]),
            "conference",
          ),
          bot(
            pick(rng, [
              "A conference trip for work — exciting! Pack a charger and comfortable shoes.",
              "Your first business trip with the new team! Conference days are long, so pace yourself.",
            ]),
          ),
        ],
      },
    ],
    questions: [
      askInMonth("plan", "trip-plan", (m) => `Where was I planning to travel back in ${m}?`),
      ask(
        "knowledge-update",
        pick(rng, [
          "Where are we going for the summer holiday in the end?",
          "What's the final destination of our summer trip?",
        ]),
        "trip-final",
      ),
      ask("single-hop", "What food did I rave about after the holiday?", "trip-back"),
      ask("multi-hop", `In which city did I eat the ${p.food} I loved?`, "trip-back", "trip-final"),
      ask("assistant", "Which book did you recommend for my flight?", "book-advice"),
      ask("adversarial", "Which city is my business trip to?", "conference"),
      ask("single-hop", "Which conference is my employer sending me to?", "conference"),
      askRelative("trip", "conference", (w) => `Which city was I heading to for work ${w}?`),
    ],
  };
}

const BOOK_OPINIONS = [
  ["The ending felt rushed, but the middle section was brilliant.", "liked the middle, not the ending"],
  ["Honestly I found it slow and couldn't connect with the narrator at all.", "found it slow"],
  ["It wrecked me in the best way — I cried on the bus like a fool.", "found it moving"],
  ["Clever, but it tried so hard to be clever that I never cared about anyone in it.", "found it cold"],
];
const FILM_OPINIONS = [
  "it dragged for the first hour, but the last twenty minutes were stunning.",
  "honestly one of the best things I've seen in years, I haven't stopped thinking about it.",
  "it looked gorgeous and said absolutely nothing.",
  "I laughed more than I expected, the lead is hilarious.",
];

function cultureStory(p: Persona, rng: Rng): Storyline {
  const bookOpinions = sample(rng, BOOK_OPINIONS, 3);
  const filmOpinions = sample(rng, FILM_OPINIONS, 3);
  const episodes: Episode[] = [];
  const questions: QuestionMaker[] = [];
  const bookAt = [0.18, 0.52, 0.9];
  p.books.forEach(([title, author], i) => {
    const mark = `book-${i}`;
    episodes.push({
      at: bookAt[i],
      kind: "book",
      lines: [
        user(
          pick(rng, [
            `Finished ${title} by ${author} last night. ${bookOpinions[i][0]}`,
            `Just closed the last page of ${title} (${author}). ${bookOpinions[i][0]}`,
          ]),
          mark,
        ),
        bot(
          pick(rng, [
            "Thanks for the review! What are you going to read next?",
            "Books that provoke a strong reaction are worth it. What's next on the pile?",
            "I like hearing your verdicts on novels. Anything else on your reading list?",
          ]),
        ),
      ],
    });
    questions.push(ask("single-hop", `What did I think of ${author}'s novel?`, mark));
    questions.push(askInMonth("book", mark, (m) => `Which book did I finish in ${m}?`));
  });
  const filmAt = [0.34, 0.6, 0.94];
  p.films.forEach((film, i) => {
    const mark = `film-${i}`;
    episodes.push({
      at: filmAt[i],
      kind: "film",
      lines: [
        user(
          pick(rng, [
            `${p.partner} dragged me to see ${film} — ${filmOpinions[i]}`,
            `We watched ${film} at the cinema. My verdict: ${filmOpinions[i]}`,
          ]),
          mark,
        ),
        bot(
          pick(rng, [
            "Cinema trips are a nice ritual. Would you watch that film again?",
            "Thanks for the film review! Did your partner agree?",
            "A strong opinion on a movie is half the fun of going.",
          ]),
        ),
      ],
    });
    questions.push(ask("single-hop", `How did I feel about ${film}?`, mark));
    questions.push(askInMonth("film", mark, (m) => `What movie did I see in ${m}?`));
    questions.push(askRelative("film", mark, (w) => `Which movie did I go and see ${w}?`));
  });
  episodes.push({
    at: 0.4,
    lines: [
      user(
        pick(rng, [
          `My brother ${p.brother} saw ${p.films[0]} too and thinks it's the best film of the year. We argued for an hour.`,
          `${p.brother} rang to tell me ${p.films[0]} was a masterpiece. My brother has questionable taste.`,
        ]),
        "brother-film",
      ),
      bot(
        pick(rng, [
          "Nothing like a family argument about films. Did either of you change your mind?",
          "Your brother clearly loved that movie more than you did!",
        ]),
      ),
    ],
  });
  questions.push(ask("adversarial", `What did my brother make of ${p.films[0]}?`, "brother-film"));
  return { episodes, questions };
}

function healthStory(p: Persona, rng: Rng): Storyline {
  return {
    episodes: [
      {
        at: 0.36,
        kind: "health",
        lines: [
          user(
            pick(rng, [
              "Went to the GP about the headaches. She thinks it's screen strain and wants me to get my eyes tested.",
              "Finally saw a doctor about these headaches — her guess is eye strain from staring at monitors all day.",
            ]),
            "gp",
          ),
          bot(
            "That's a common culprit. Try the 20-20-20 rule in the meantime: every 20 minutes, look 20 feet away for 20 seconds.",
          ),
        ],
      },
      {
        at: 0.4,
        kind: "health",
        lines: [
          user(
            pick(rng, [
              `Eye test done: I need glasses for the computer. Went for ${p.frames} frames.`,
              `The optician confirmed it — reading glasses for screen work. I picked ${p.frames} frames.`,
            ]),
            "glasses",
          ),
          bot(
            pick(rng, [
              "New glasses should sort the headaches out. It can take a week to get used to the lenses.",
              "Good that the optician found the cause. Enjoy the new specs!",
            ]),
          ),
        ],
      },
      {
        at: 0.72,
        kind: "health",
        lines: [
          user(
            pick(rng, [
              "Dentist appointment this morning — one small filling, nothing dramatic.",
              "Survived the dentist. One tiny cavity filled, and a lecture about flossing.",
            ]),
            "dentist",
          ),
          bot(
            "Glad it was only a small one. A softer toothbrush helps if your gums are sensitive afterwards.",
          ),
        ],
      },
      {
        at: 0.2,
        lines: [
          user(
            pick(rng, [
              `I've started learning ${p.language} on an app, ten minutes a day on the bus.`,
              `New hobby: ${p.language}. I'm doing a streak on one of those apps every morning.`,
            ]),
            "lang-app",
          ),
          bot(
            pick(rng, [
              "Learning a language a little every day adds up. Are you aiming for a trip?",
              "Language apps are a fun way to start. Try saying sentences out loud too.",
            ]),
          ),
        ],
      },
      {
        at: 0.64,
        lines: [
          user(
            pick(rng, [
              `I dropped the app and joined a proper evening class for ${p.language}, Tuesdays and Thursdays.`,
              `The ${p.language} app wasn't cutting it, so now I go to a real class twice a week with a teacher.`,
            ]),
            "lang-class",
          ),
          bot(
            pick(rng, [
              "A teacher and classmates will keep you speaking, which an app can't. Good move.",
              "Switching to lessons in person is a great step for your language learning.",
            ]),
          ),
        ],
      },
      {
        at: 0.28,
        kind: "plan",
        lines: [
          user(
            pick(rng, [
              `Signed up for an evening pottery class on ${p.potteryDay}s. I'll finally make my own mugs.`,
              `I booked a ceramics course — ${p.potteryDay} evenings, eight weeks.`,
            ]),
            "pottery-1",
          ),
          bot(
            pick(rng, [
              "A pottery course — lovely! Wear clothes you don't mind ruining.",
              "Making your own mugs sounds very satisfying. Enjoy the clay!",
            ]),
          ),
        ],
      },
      {
        at: 0.8,
        lines: [
          user(
            pick(rng, [
              `I've moved my pottery class to Saturday mornings — ${p.potteryDay} evenings clash with my ${p.language} lessons now.`,
              `Pottery is on Saturday mornings from now on, the ${p.potteryDay} slot kept clashing with other things.`,
            ]),
            "pottery-2",
          ),
          bot(
            pick(rng, [
              "Saturday mornings sound calmer for pottery anyway.",
              "Moving the class to the weekend makes sense if weekdays are busy.",
            ]),
          ),
        ],
      },
    ],
    questions: [
      ask("single-hop", "What did the physician blame for my head pain?", "gp"),
      ask("temporal", "When did I get glasses?", "glasses"),
      ask("single-hop", "What kind of frames did I choose?", "glasses"),
      ask(
        "multi-hop",
        "What did the eye check confirm about the cause the doctor suspected?",
        "glasses",
        "gp",
      ),
      ask("adversarial", "What did the dentist find?", "dentist"),
      askInMonth("health", "dentist", (m) => `What medical appointment did I have in ${m}?`),
      ask("single-hop", "Which language am I studying?", "lang-app"),
      ask("knowledge-update", "How am I learning the language these days?", "lang-class"),
      ask("knowledge-update", "When is my ceramics class now?", "pottery-2"),
      ask("adversarial", "Which evening did I first book ceramics for?", "pottery-1"),
      askInMonth("plan", "pottery-1", (m) => `What course did I sign up for in ${m}?`),
    ],
  };
}

function friendsStory(p: Persona, rng: Rng): Storyline {
  return {
    episodes: [
      {
        at: 0.32,
        kind: "advice",
        lines: [
          user(
            `${p.friend} is coming over for dinner on Friday and she's vegetarian. What should I make?`,
            "dinner-ask",
          ),
          bot(
            `A ${p.dish} would be lovely — it looks impressive but most of it can be done ahead, so you get to sit down too.`,
            "dinner-advice",
          ),
        ],
      },
      {
        at: 0.5,
        kind: "advice",
        lines: [
          user(
            `It's ${p.partner}'s birthday in two weeks and I'm completely out of ideas. Help?`,
            "gift-ask",
          ),
          bot(`How about ${p.gift}? Experiences tend to be remembered longer than objects.`, "gift-advice"),
        ],
      },
      {
        at: 0.74,
        kind: "advice",
        lines: [
          user(
            "The leaves on my fiddle-leaf fig keep going brown and crispy at the edges. What am I doing wrong?",
            "plant-ask",
          ),
          bot(
            "Usually that's thirst or dry air. Water deeply when the top few centimetres of soil are dry, and move it away from the radiator.",
            "plant-advice",
          ),
        ],
      },
      {
        at: 0.88,
        kind: "advice",
        lines: [
          user("How should I split my savings between an emergency fund and the holiday pot?", "money-ask"),
          bot(
            `A common rule is to fill the emergency fund first — ${p.savingsMonths} months of essential expenses — then send a fixed share of each payday to the holiday pot.`,
            "money-advice",
          ),
        ],
      },
      {
        at: 0.38,
        lines: [
          user(
            pick(rng, [
              `${p.friend2} got engaged on a hot-air balloon ride of all places!`,
              `Huge gossip: ${p.friend2}'s partner proposed to her in a hot-air balloon.`,
            ]),
            "engaged",
          ),
          bot(
            pick(rng, [
              "A proposal in a balloon — how romantic! Please send my congratulations.",
              "What a story for their engagement! Congratulations to them both.",
            ]),
          ),
        ],
      },
      {
        at: 0.78,
        lines: [
          user(
            pick(rng, [
              `${p.friend2} sent the save-the-date: the wedding is at ${p.weddingPlace} in October.`,
              `Wedding invite arrived from ${p.friend2} — October, at ${p.weddingPlace}.`,
            ]),
            "wedding",
          ),
          bot(
            pick(rng, [
              "October weddings are beautiful. Time to find an outfit!",
              "A wedding invitation! That venue sounds gorgeous.",
            ]),
          ),
        ],
      },
    ],
    questions: [
      ask("assistant", "What meal did you propose when my friend came round?", "dinner-advice"),
      ask("assistant", "What present did you come up with for my partner?", "gift-advice"),
      ask("assistant", "What did you say was wrong with my houseplant?", "plant-advice"),
      ask("assistant", "How many months of costs did you advise keeping aside?", "money-advice"),
      ask(
        "multi-hop",
        "Where is the wedding of the friend who was proposed to in a balloon?",
        "wedding",
        "engaged",
      ),
      ask("single-hop", `How did ${p.friend2} get engaged?`, "engaged"),
      ask("temporal", `When did I hear that ${p.friend2} was engaged?`, "engaged"),
      askInMonth("advice", "plant-advice", (m) => `What did you advise me about in ${m}?`),
      askInMonth("advice", "money-advice", (m) => `What did you help me with in ${m}?`),
    ],
  };
}

function familyStory(p: Persona, rng: Rng): Storyline {
  const [job, employer] = p.brotherJob;
  return {
    episodes: [
      {
        at: 0.48,
        lines: [
          user(
            pick(rng, [
              `${p.sister} has moved to ${p.sisterCity} for her PhD — she sent photos of her tiny new flat.`,
              `My sister is living in ${p.sisterCity} now, she started a research job there last week.`,
            ]),
            "sister-move",
          ),
          bot(
            pick(rng, [
              "A big move for your sister! Visiting will be a good excuse for a trip.",
              "Exciting for her — a new city and a new job at once.",
            ]),
          ),
        ],
      },
      {
        at: 0.6,
        lines: [
          user(
            pick(rng, [
              `${p.brother} started as ${job} at ${employer}. He's wanted that for years.`,
              `Family news: ${p.brother} landed a job as ${job} with ${employer}.`,
            ]),
            "brother-job",
          ),
          bot(
            pick(rng, [
              "That's great news for your brother. Persistence pays off.",
              "Good for him — a new career is a big step.",
            ]),
          ),
        ],
      },
      {
        at: 0.55,
        lines: [
          user(
            pick(rng, [
              `We celebrated ${p.partner}'s birthday at ${p.restaurant} last night — ${p.partner} loved it.`,
              `Birthday dinner for ${p.partner} was at ${p.restaurant}. Best meal we've had in ages.`,
            ]),
            "birthday",
          ),
          bot(
            pick(rng, [
              "Lovely! A good restaurant is the best way to mark a birthday.",
              "Happy birthday to your partner! Sounds like a great meal.",
            ]),
          ),
        ],
      },
      {
        at: 0.19,
        kind: "health",
        lines: [
          user(
            pick(rng, [
              `The allergy test came back: I'm allergic to ${p.allergy}. That explains a lot.`,
              `Turns out my sneezing fits have a cause — the clinic says it's an allergy to ${p.allergy}.`,
            ]),
            "allergy",
          ),
          bot(
            "At least you know now. Ask the pharmacist about an antihistamine that doesn't make you drowsy.",
          ),
        ],
      },
    ],
    questions: [
      ask("adversarial", "Which city does my sister live in now?", "sister-move"),
      ask("adversarial", "What work does my brother do?", "brother-job"),
      ask("single-hop", "Where did we go out for my partner's birthday?", "birthday"),
      ask("single-hop", "What substance am I sensitive to?", "allergy"),
      ask("adversarial", `Whose dog is ${p.dog2}?`, "sister-dog"),
      ask("multi-hop", `Which city did the owner of the ${p.breed2} move to?`, "sister-dog", "sister-move"),
    ],
  };
}

function hobbyStory(p: Persona, rng: Rng): Storyline {
  const [grade1, grade2] = p.grades;
  const [crop1, crop2] = p.crops;
  return {
    episodes: [
      {
        at: 0.27,
        lines: [
          user(
            pick(rng, [
              `Went bouldering with ${p.friend} again. I can climb ${grade1} problems now, my forearms are on fire.`,
              `Climbing wall tonight: sent my first ${grade1}! ${p.friend} says I'm hooked.`,
            ]),
            "climb-1",
          ),
          bot(
            pick(rng, [
              "Nice progress on the wall! Rest days matter for fingers, tendons adapt slower than muscles.",
              "Climbing is addictive. Well done on the new grade!",
            ]),
          ),
        ],
      },
      {
        at: 0.77,
        lines: [
          user(
            pick(rng, [
              `Climbing update: I'm projecting ${grade2} problems now and even topped one.`,
              `Climbing wall tonight: sent my first ${grade2}! Months of practice finally paying off.`,
            ]),
            "climb-2",
          ),
          bot(
            pick(rng, [
              "That's a real jump in climbing level. Well done!",
              "Months of bouldering paying off — brilliant.",
            ]),
          ),
        ],
      },
      {
        at: 0.7,
        lines: [
          user(
            pick(rng, [
              `First proper garden! I've planted ${crop1} along the back fence.`,
              `The veg patch is in: ${crop1}. Fingers crossed the slugs stay away.`,
            ]),
            "garden-1",
          ),
          bot(
            pick(rng, [
              "Your own vegetables — how satisfying. Water in the evening so less evaporates.",
              "A vegetable patch is a great use of the new garden!",
            ]),
          ),
        ],
      },
      {
        at: 0.86,
        lines: [
          user(
            pick(rng, [
              `The first crop didn't make it, so the veg patch is now ${crop2}.`,
              `Garden reboot after the slug massacre: it's ${crop2} from now on.`,
            ]),
            "garden-2",
          ),
          bot(
            pick(rng, [
              "Those are hardier crops. Good luck with round two!",
              "Slugs are relentless. Beer traps might help the new plants.",
            ]),
          ),
        ],
      },
      {
        at: 0.34,
        kind: "advice",
        lines: [
          user(
            "They offered me the job! How do I ask for more money without sounding greedy?",
            "negotiate-ask",
          ),
          bot(
            `Thank them, then name a specific figure about ${p.raisePercent}% above their offer and explain it with the scope of the role. Silence after you say the number is fine.`,
            "negotiate-advice",
          ),
        ],
      },
      {
        at: 0.45,
        kind: "advice",
        lines: [
          user("I need something to listen to on the commute that isn't the news. Ideas?", "podcast-ask"),
          bot(`You might like "${p.podcast[0]}" — ${p.podcast[1]}.`, "podcast-advice"),
        ],
      },
    ],
    questions: [
      ask("knowledge-update", "What grade do I climb at the moment?", "climb-2"),
      ask("knowledge-update", "What's growing in the vegetable bed now?", "garden-2"),
      ask("single-hop", "Who do I go climbing with?", "climb-1"),
      ask("assistant", "What did you tell me about negotiating my salary?", "negotiate-advice"),
      ask("assistant", "Which audio show did you recommend for my commute?", "podcast-advice"),
      ask("multi-hop", "What dish did you suggest I cook for my climbing buddy?", "climb-1", "dinner-advice"),
      ask(
        "multi-hop",
        `How much above the offer did you suggest asking for the ${p.role2} job?`,
        "negotiate-advice",
        "interview",
      ),
    ],
  };
}

/** Questions that join storylines through time. */
function timelineQuestions(): Storyline {
  return {
    episodes: [],
    questions: [
      ask("temporal", "How long after we got the dog did I start at the new company?", "adopt", "first-day"),
      ask("temporal", "Did we move house before or after I got my glasses?", "new-home", "glasses"),
      ask("temporal", "Which came first, the replacement car or the house move?", "new-car", "new-home"),
    ],
  };
}

// ---------------------------------------------------------------------------------------------- small talk

/** Small-talk exchanges [user, assistant]; some mention the persona's world without stating any fact. */
function smallTalk(p: Persona): Array<[string, string]> {
  return [
    ["Morning! Just checking in before work.", "Good morning! How are you feeling today?"],
    [
      "It's been raining all week, I've forgotten what the sun looks like.",
      "Grey weeks are tough. A bright lamp in the morning can help a little.",
    ],
    [
      "I need more coffee before I can think.",
      "Understandable. Want to start with something small while it brews?",
    ],
    ["Nothing much to report today, just wanted to chat.", "Always happy to chat. What's on your mind?"],
    ["Work was quiet for once.", "A quiet day is a gift. Did you get to anything you'd been putting off?"],
    [
      "I'm trying to drink more water, it's harder than it sounds.",
      "A bottle on the desk you can see all day makes it much easier.",
    ],
    ["The weekend went by far too fast.", "They always do. Anything nice planned for the next one?"],
    [
      "I finally cleaned out the fridge. Found things I don't want to talk about.",
      "Brave work. A fresh start for the week!",
    ],
    [
      "Do you think it's silly to make a to-do list for the weekend?",
      "Not at all — a short one can make rest feel earned.",
    ],
    [
      "I tried a new podcast on the commute, it was fine but a bit long.",
      "Some shows would be better at half the length. What was it about?",
    ],
    [
      "My phone screen cracked, which is a great start to the day.",
      "Ouch. A cheap screen protector might stop it spreading.",
    ],
    [
      "I slept badly, the street was noisy.",
      "Sorry to hear that. Maybe keep the evening calm tonight to catch up.",
    ],
    [
      "We had friends over last night, the flat is a mess.",
      "Sounds like a good evening though! Music on and tidy in twenty minutes?",
    ],
    ["Just a quick hello, I'm between meetings.", "Hello! Good luck with the rest of the meetings."],
    [
      "Is it normal to feel tired every Monday?",
      "Very normal — the shift from weekend rhythm takes a day for most people.",
    ],
    [
      "I baked bread for the first time. It's more of a brick.",
      "Every baker starts with a brick! A longer rise usually fixes it.",
    ],
    ["Thanks for yesterday, that was helpful.", "Glad it helped! Let me know how it goes."],
    [
      "My plants are the only things thriving in this house.",
      "At least something is! Green things make a room feel alive.",
    ],
    [
      "I keep meaning to call my grandmother.",
      "Maybe set a reminder for this evening — she'd love to hear from you.",
    ],
    ["Thinking about what to have for dinner already.", "Something warm and easy sounds right for tonight."],
    ["I wasted an hour scrolling again.", "It happens to everyone. Leaving the phone in another room helps."],
    [
      "Do you ever get bored of people asking you things?",
      "Not at all — I enjoy the variety of what people bring.",
    ],
    [
      "Work is busy, a new deadline appeared from nowhere.",
      "Sorry, that's stressful. Want help breaking it into steps?",
    ],
    [
      "I want to read more this year, I keep buying books and not opening them.",
      "Ten pages before bed is a gentle way to build the habit.",
    ],
    [
      "Films are so long these days, three hours is too much.",
      "An intermission would make a comeback if it were up to me.",
    ],
    ["I should go for a run but it's freezing.", "Layers and a short route can make it feel less daunting."],
    [
      "Travel always sounds better than the packing.",
      "Packing cubes and a reusable checklist make it much less painful.",
    ],
    ["My inbox is out of control.", "Try two passes: delete or archive first, then answer only what's left."],
    [`${p.partner} says hi, by the way.`, `Hello to ${p.partner} too!`],
    ["Happy Friday! I made it through the week.", "Well done! Anything fun lined up for the weekend?"],
    [
      "I've been humming the same song for three days.",
      "The catchier the song, the harder it is to shake. Listening to it all the way through sometimes helps.",
    ],
    [
      "Can you remind me why I always leave laundry until Sunday night?",
      "Because Sunday night is when the week suddenly feels real!",
    ],
    [
      "Just had the best cup of tea of my life.",
      "Those moments deserve to be noticed. What made it so good?",
    ],
    [
      "I tidied my desk and now I can't find anything.",
      "A classic. Give it a day and your memory will adapt to the new layout.",
    ],
    ["I'm procrastinating by talking to you.", "I'm flattered. Want to pick one tiny task to start with?"],
    ["The bus was late again this morning.", "Annoying. A podcast or a book makes the waiting less painful."],
    ["I got caught in a downpour without an umbrella.", "Hope you've dried off! A hot drink is in order."],
    [
      "I can't decide what to watch tonight.",
      "Choosing often takes longer than watching. Pick something short?",
    ],
    [
      "The power went out for an hour yesterday evening.",
      "Candlelight evenings can be oddly pleasant, as long as the freezer survives.",
    ],
    [
      "My neighbour's cat visited again, it's now sitting on my windowsill.",
      "A regular visitor! Cats choose their favourite people carefully.",
    ],
    [
      "Feeling a bit flat today, nothing in particular.",
      "Some days are just like that. A walk or an early night can help reset.",
    ],
    ["I made a spreadsheet of my spreadsheets.", "That's either genius or a cry for help. Possibly both."],
    [
      "I'm trying to spend less time on my phone before bed.",
      "A paper book and a charger outside the bedroom do wonders.",
    ],
    [
      "It's so sunny today, I could not focus at all.",
      "Sunny days are for a lunchtime walk. Did you manage to get outside?",
    ],
    [
      "Any idea how to get a red wine stain out of a rug?",
      "Blot, don't rub, then a little cold water and washing-up liquid. Salt can help draw it out.",
    ],
    [
      "I overslept and missed my alarm completely.",
      "It happens. Maybe put the alarm across the room tonight.",
    ],
    [
      "What's a good quick lunch I can take to work?",
      "A grain salad with whatever vegetables you have keeps well until lunchtime.",
    ],
    [
      "I finally fixed the wobbly chair. Small victories.",
      "Small victories count! It's the little fixes that make a home feel right.",
    ],
    [
      "Someone at the supermarket complimented my jumper.",
      "That's a lovely little boost. Nice to hear about kind strangers.",
    ],
    [
      "I've started keeping a journal, three lines a night.",
      "Three lines is the perfect size — easy enough to keep going.",
    ],
    ["I'm so bad at remembering birthdays.", "A shared calendar with reminders a week before can save you."],
    [
      "The washing machine is making a noise like a jet engine.",
      "Could be something stuck in the drum, or the load is unbalanced.",
    ],
    ["I've got a cold coming, I can feel it.", "Rest, fluids and an early night. Hope it passes quickly."],
    [
      "I sorted out my wardrobe and found three identical black T-shirts.",
      "Clearly a favourite! Maybe donate the ones you never reach for.",
    ],
    [
      "Do you have a tip for staying focused in the afternoon?",
      "A short walk and a glass of water after lunch help more than another coffee.",
    ],
    ["I burnt the toast this morning, twice.", "The toaster wins some days. Maybe lower the setting by one."],
    [
      "My laptop decided to update right before a call.",
      "The universe has a sense of humour. Did you make it in time?",
    ],
    [
      "I'm trying to learn to juggle, it's going badly.",
      "Start with two balls and one hand — it feels silly, but it works.",
    ],
    [
      "I've been listening to old albums from school.",
      "Nostalgia playlists are the best. Any favourites that still hold up?",
    ],
    [
      "I'm going to make soup this weekend, any tips?",
      "Soften the onions slowly and season at the end — it makes all the difference.",
    ],
  ];
}

/** Small talk that only fits after the dog has arrived. */
function dogTalk(p: Persona): Array<[string, string]> {
  return [
    [`${p.dog} is asleep on my feet as I type.`, "That sounds cosy. Dogs are the best foot warmers."],
    [
      `${p.dog} found a puddle and then the sofa. In that order.`,
      "A towel by the door might be the best purchase you make this year.",
    ],
    [
      `I think ${p.dog} understands the word "walk" even when I spell it out.`,
      "Dogs are very good at reading patterns — and tone of voice.",
    ],
  ];
}

// ---------------------------------------------------------------------------------------------- assembly

/**
 * Small talk dealt like cards: every exchange is used once before any repeats, as real small talk rarely
 * repeats word for word. Dog talk waits until the dog has arrived.
 */
function smallTalkDeck(talk: Array<[string, string]>, dogLines: Array<[string, string]>, rng: Rng) {
  let cards: Array<{ pair: [string, string]; dog: boolean }> = [];
  const refill = () => {
    const all = [
      ...talk.map((pair) => ({ pair, dog: false })),
      ...dogLines.map((pair) => ({ pair, dog: true })),
    ];
    cards = sample(rng, all, all.length);
  };
  return {
    draw(n: number, dogAllowed: boolean): Array<[string, string]> {
      const out: Array<[string, string]> = [];
      while (out.length < n) {
        if (!cards.some((c) => dogAllowed || !c.dog)) refill();
        const i = cards.findIndex((c) => dogAllowed || !c.dog);
        out.push(cards.splice(i, 1)[0].pair);
      }
      return out;
    },
  };
}

interface Placed extends Episode {
  session: number;
  order: number;
}

/**
 * Places episodes on sessions: each at its timeline position plus a little jitter, and each storyline's
 * episodes in order (a later one never lands in an earlier session).
 */
function place(storylines: Storyline[], sessions: number, rng: Rng): Placed[] {
  const placed: Placed[] = [];
  let order = 0;
  for (const story of storylines) {
    for (const episode of story.episodes) {
      const jitter = rng() < 0.5 ? 0 : pick(rng, [-1, 1]);
      const session = Math.max(0, Math.min(sessions - 1, Math.round(episode.at * (sessions - 1)) + jitter));
      placed.push({ ...episode, session, order: order++ });
    }
  }
  // Keep storylines causal: events sorted by their timeline position get non-decreasing sessions.
  const byStory = new Map<Storyline, Placed[]>();
  let i = 0;
  for (const story of storylines) {
    byStory.set(story, placed.slice(i, i + story.episodes.length));
    i += story.episodes.length;
  }
  for (const list of byStory.values()) {
    const sorted = [...list].sort((a, b) => a.at - b.at);
    for (let j = 1; j < sorted.length; j++) {
      if (sorted[j].session < sorted[j - 1].session) sorted[j].session = sorted[j - 1].session;
    }
  }
  return placed;
}

/**
 * A deterministic long conversation and its questions.
 *
 * With the defaults: 24 sessions from January 2024, every 6 to 13 days, about 20 turns each (over 400 in
 * all), and about 85 questions of six types. Smaller `sessions` values tell the same storylines in fewer,
 * busier sessions (CI runs a small version); the questions that need a unique time window may then drop out.
 *
 * @throws InvalidInputError when `sessions` is not an integer ≥ 2 or `seed` is not an integer.
 */
export function conversationFixture(options: ConversationOptions = {}): ConversationFixture {
  const count = options.sessions ?? DEFAULT_SESSIONS;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(count) || count < 2)
    throw new InvalidInputError(`sessions must be an integer ≥ 2, got ${count}`);
  if (!Number.isInteger(seed)) throw new InvalidInputError(`seed must be an integer, got ${seed}`);
  const rng = seededRandom(seed * 7919 + 17);
  const persona = drawPersona(rng);
  const storylines = [
    dogStory(persona, rng),
    jobStory(persona, rng),
    homeStory(persona, rng),
    fitnessStory(persona, rng),
    travelStory(persona, rng),
    cultureStory(persona, rng),
    healthStory(persona, rng),
    friendsStory(persona, rng),
    familyStory(persona, rng),
    hobbyStory(persona, rng),
    timelineQuestions(),
  ];
  const placed = place(storylines, count, rng);

  const dates: string[] = [];
  let day = START_DATE;
  for (let s = 0; s < count; s++) {
    dates.push(isoDate(day));
    day += int(rng, 6, 13) * DAY_MS;
  }
  const ids = dates.map((_, s) => `s${String(s + 1).padStart(2, "0")}`);
  const adoptSession = placed.find((e) => e.lines.some((l) => l.mark === "adopt"))?.session ?? 0;
  const deck = smallTalkDeck(smallTalk(persona), dogTalk(persona), rng);

  const marks = new Map<string, { session: number; turn: number }>();
  const sessions: ConversationSession[] = ids.map((id, s) => {
    const episodes = placed.filter((e) => e.session === s).sort((a, b) => a.at - b.at || a.order - b.order);
    const target = int(rng, 16, 22);
    const episodeTurns = episodes.reduce((n, e) => n + e.lines.length, 0);
    const fillers = Math.max(2, Math.round((target - episodeTurns) / 2));
    // Small talk opens the session; the rest falls between (or after) the episodes at random.
    const slots = Array.from({ length: episodes.length + 1 }, () => 0);
    slots[0] = 1;
    for (let f = 1; f < fillers; f++) slots[int(rng, 0, episodes.length)]++;
    const turns: ConversationTurn[] = [];
    const addTalk = (n: number) => {
      for (const [u, a] of deck.draw(n, s > adoptSession)) {
        turns.push({ role: "user", text: u }, { role: "assistant", text: a });
      }
    };
    episodes.forEach((episode, e) => {
      addTalk(slots[e]);
      for (const line of episode.lines) {
        if (line.mark) marks.set(line.mark, { session: s, turn: turns.length });
        turns.push({ role: line.role, text: line.text });
      }
    });
    addTalk(slots[episodes.length]);
    return { id, date: dates[s], turns };
  });

  const askedAt = isoDate(Date.parse(dates[count - 1]) + int(rng, 2, 5) * DAY_MS);
  const where: Placement = {
    id(mark) {
      const at = marks.get(mark);
      if (!at) throw new Error(`fixture bug: no turn is marked ${mark}`);
      return `${ids[at.session]}#${at.turn}`;
    },
    date(mark) {
      const at = marks.get(mark);
      if (!at) throw new Error(`fixture bug: no turn is marked ${mark}`);
      return dates[at.session];
    },
    ofKind(kind) {
      return placed.filter((e) => e.kind === kind).flatMap((e) => e.lines.find((l) => l.mark)?.mark ?? []);
    },
    askedAt,
  };
  const questions = storylines.flatMap((story) =>
    story.questions.flatMap((make) => {
      const question = make(where);
      return question ? [question] : [];
    }),
  );
  return { sessions, questions };
}
