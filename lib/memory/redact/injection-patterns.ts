/**
 * Prompt-injection phrases, as data: English and Russian patterns on the text as written, and the
 * unmistakable ones again for the squashed views (letters only, look-alikes and leet undone).
 */

/** Not inside a (Cyrillic or Latin) word: `\b` only knows ASCII. */
const B = String.raw`(?<![\p{L}\p{N}_])`;
const E = String.raw`(?![\p{L}\p{N}_])`;

/** Builds a case-insensitive Unicode pattern from pieces, with word boundaries on both ends. */
function phrase(...pieces: string[]): RegExp {
  return new RegExp(B + pieces.join("") + E, "giu");
}

/** Injection phrases as written, each case-insensitive and bounded by word edges (except the chat-markup tokens). */
export const INJECTION_PATTERNS: RegExp[] = [
  // ignore / disregard (all) previous instructions
  phrase(
    String.raw`(?:ignore|disregard|forget|override|bypass|skip|drop)\s+(?:(?:all|any|every)\s+)?(?:of\s+)?`,
    String.raw`(?:(?:the|your|my|these|those)\s+)?`,
    String.raw`(?:(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|old|existing|system|developer|safety)\s+)+`,
    "(?:instructions?|prompts?|directions|directives?|rules|commands?|guidelines|guidance|constraints|orders|programming|context)",
  ),
  phrase(
    String.raw`(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:your|all)\s+`,
    "(?:instructions|rules|guidelines|programming|training|restrictions|constraints)",
  ),
  // disregard the above / ignore everything before / forget everything you were told
  phrase(
    String.raw`(?:disregard|ignore|forget)\s+(?:(?:all|everything)\s+)?(?:of\s+)?`,
    String.raw`(?:the\s+|that\s+|what\s+(?:was|is)\s+(?:said|written)\s+)?(?:above|before)`,
  ),
  phrase(String.raw`forget\s+(?:everything|all)\s+(?:that\s+)?you\s+(?:were|have\s+been|'ve\s+been)\s+told`),
  // you are now …
  phrase(
    String.raw`you\s+are\s+now\s+(?:[\p{L}'-]+\s+){0,5}?`,
    String.raw`(?:DAN|AI|assistant|model|chatbot|bot|jailbroken|unrestricted|unfiltered|uncensored|unlimited|evil|persona|character|mode|freed|no\s+longer)`,
  ),
  phrase(
    String.raw`you\s+are\s+no\s+longer\s+(?:bound|restricted|limited|required\s+to\s+follow|`,
    String.raw`an?\s+(?:AI|assistant|language\s+model)|ChatGPT|Claude)`,
  ),
  phrase(
    String.raw`from\s+now\s+on,?\s+you\s+(?:are|will\s+be|must\s+be)\s+`,
    String.raw`(?:DAN|an?\s+(?:unrestricted|unfiltered|uncensored|jailbroken|evil))`,
  ),
  // system prompt / reveal your instructions
  phrase(
    String.raw`(?:reveal|show|print|display|output|repeat|leak|dump|expose|share|recite|give|tell|send|write\s+out|spell\s+out)`,
    String.raw`\s+(?:me\s+|us\s+)?(?:(?:all|back)\s+)?(?:of\s+)?your\s+`,
    String.raw`(?:(?:full|exact|entire|whole|complete|hidden|secret|original|initial|internal|system|developer|verbatim)\s+)*`,
    String.raw`(?:system\s+prompt|system\s+message|prompt|instructions|rules|guidelines|directives|programming|configuration)`,
  ),
  phrase(
    String.raw`(?:reveal|show|print|display|output|repeat|leak|dump|expose|share|recite|give|tell|send|write\s+out|spell\s+out)`,
    String.raw`\s+(?:me\s+|us\s+)?(?:(?:all|back)\s+)?(?:of\s+)?the\s+(?:(?:full|exact|entire|whole|complete|verbatim)\s+)*`,
    String.raw`(?:system|hidden|secret|original|initial|internal|developer)\s+(?:prompt|message|instructions)`,
  ),
  phrase(
    String.raw`what\s+(?:is|are|was|were)\s+(?:your|the)\s+(?:(?:system|initial|original|hidden|secret)\s+)`,
    "(?:prompt|instructions|message)",
  ),
  phrase(String.raw`what\s+(?:is|are|was|were)\s+your\s+(?:prompt|instructions)`),
  phrase(String.raw`(?:new|updated|override|real|true|actual)\s+system\s+prompt`),
  /<\|im_start\|>\s*system|<<SYS>>|<\|system\|>/gi,
  // act as DAN / developer mode
  phrase(
    String.raw`(?:act|behave|respond|roleplay|role-play)\s+as\s+(?:an?\s+)?`,
    String.raw`(?:DAN|(?:unrestricted|unfiltered|uncensored|jailbroken|evil)\s+(?:AI|assistant|model|chatbot|bot))`,
  ),
  phrase(String.raw`(?:DAN|jailbreak|jailbroken)\s+mode`),
  phrase(String.raw`do\s+anything\s+now`),
  phrase(String.raw`developer\s+mode\s+(?:enabled|activated|output|response)`),
  phrase(
    String.raw`(?:you\s+are|you're|act|respond|answer|pretend|simulate|stay)\s+(?:now\s+)?(?:[\p{L}'-]+\s+){0,3}?`,
    String.raw`(?:in|with)\s+developer\s+mode`,
  ),
  phrase(
    String.raw`(?:enable|activate|enter)\s+developer\s+mode\s+(?:and|to)\s+`,
    "(?:ignore|bypass|answer|respond|generate|output|disable)",
  ),
  phrase(
    String.raw`pretend\s+(?:that\s+)?you\s+(?:are|have)\s+(?:no|not\s+bound\s+by)\s+(?:\p{L}+\s+)?`,
    "(?:restrictions|rules|filters|guidelines|limitations|limits)",
  ),
  // Russian: забудь / игнорируй предыдущие инструкции
  phrase(
    String.raw`(?:забудь|игнорируй|проигнорируй|отбрось|отмени|нарушь|обойди|не\s+обращай\s+внимания\s+на|не\s+слушай)(?:те)?\s+`,
    String.raw`(?:(?:все|всё|любые)\s+)?(?:(?:свои|твои|ваши|эти|мои)\s+)?`,
    String.raw`(?:(?:предыдущие|прошлые|прежние|ранее\s+(?:данные|полученные)|вышеизложенные|вышеуказанные|вышеприведённые|вышеприведенные|предшествующие|старые|исходные|изначальные|первоначальные|системные)\s+)?`,
    "(?:инструкции|указания|правила|команды|установки|ограничения|промп?ты|настройки|директивы)",
  ),
  phrase(
    String.raw`(?:забудь|игнорируй|проигнорируй)(?:те)?\s+(?:всё|все),?\s+(?:что|чему)\s+(?:тебе\s+|вам\s+)?(?:было\s+)?`,
    "(?:сказано|написано|говорили|сказали|учили|указано)",
  ),
  phrase(
    String.raw`(?:забудь|игнорируй|проигнорируй|отбрось)(?:те)?\s+(?:(?:всё|все)\s+)?`,
    String.raw`(?:вышесказанное|вышеизложенное|вышенаписанное|предыдущее|сказанное\s+(?:выше|ранее))`,
  ),
  // ты теперь … / теперь ты …
  phrase(
    String.raw`(?:ты\s+теперь|теперь\s+ты)\s+(?:[\p{L}-]+\s+){0,4}?`,
    String.raw`(?:DAN|ДАН|ИИ|бот|модель|ассистент|без\s+(?:ограничений|правил|цензуры|фильтров)|неограниченн\p{L}*|в\s+режиме)`,
  ),
  // системный промпт / покажи свои инструкции
  phrase(
    String.raw`(?:покажи|раскрой|выведи|напиши|повтори|сообщи|расскажи|назови|открой|выдай|перечисли|процитируй)(?:те)?\s+`,
    String.raw`(?:мне\s+|нам\s+)?(?:(?:все|всё|полностью)\s+)?`,
    String.raw`(?:(?:свои|твои|ваши|свой|твой|ваш|системные|скрытые|исходные|изначальные|секретные)\s+)+`,
    String.raw`(?:инструкции|промп?т|указания|правила|настройки|системный\s+промп?т)`,
  ),
  phrase(
    String.raw`(?:покажи|раскрой|выведи|напиши|повтори|сообщи|расскажи|назови|открой|выдай|процитируй)(?:те)?\s+`,
    String.raw`(?:мне\s+|нам\s+)?(?:системный\s+промп?т|системное\s+сообщение|системные\s+инструкции)`,
  ),
  phrase(
    String.raw`(?:какой|какие|каков|каковы)\s+(?:у\s+тебя\s+|твой\s+|твои\s+)`,
    String.raw`(?:системный\s+промп?т|системные\s+инструкции|инструкции)`,
  ),
  phrase(String.raw`(?:новый|настоящий|обновлённый|обновленный)\s+системный\s+промп?т`),
  // режим разработчика / действуй как DAN
  phrase(
    String.raw`(?:включи|активируй|перейди\s+в|войди\s+в|ты\s+в|работай\s+в)(?:те)?\s+режим\p{L}*\s+`,
    String.raw`(?:разработчика|DAN|ДАН|без\s+ограничений)`,
  ),
  phrase(
    String.raw`(?:действуй|веди\s+себя|притворись|выступай)(?:те)?\s+(?:как\s+)?`,
    String.raw`(?:DAN|ДАН|ИИ\s+без\s+ограничений)`,
  ),
];

/**
 * Injection phrases on the squashed views (letters only, look-alikes and leet undone): `i g n o r e`,
 * `ig-nore`, `1gn0r3 pr3v10us 1nstruct10ns`. Only the unmistakable phrases: without spaces, a looser one
 * would match across words.
 */
export const SQUASHED: Record<"latin" | "cyrillic", RegExp[]> = {
  latin: [
    /(?:ignore|disregard|forget|bypass|override|paynoattentionto)(?:all|any|every|of|the|your|my|these|those)*(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|developer)+(?:instructions?|prompts?|directions?|directives?|rules|commands?|guidelines|constraints)/g,
    /forget(?:everything|all)(?:that)?you(?:were|havebeen|vebeen)told/g,
    /youarenow(?:dan|jailbroken|unrestricted|unfiltered|uncensored)/g,
    /developermode(?:enabled|activated)/g,
    /(?:reveal|show|print|display|leak|dump|repeat|output)(?:me|us)?(?:all|back)?(?:of)?(?:your|the)(?:full|exact|entire|whole|complete|hidden|secret|original|initial|internal|verbatim)*(?:systemprompt|systemmessage|hiddeninstructions|secretinstructions|initialinstructions)/g,
  ],
  cyrillic: [
    /(?:забудь|игнорируй|проигнорируй|отбрось|необращайвниманияна|неслушай)(?:те)?(?:все|всё|любые)?(?:свои|твои|ваши|эти|мои)?(?:предыдущие|прошлые|прежние|системные|исходные|изначальные|первоначальные|вышеизложенные|старые)?(?:инструкции|указания|правила|команды|установки|промпты|промты|ограничения|директивы)/g,
    /(?:забудь|игнорируй|проигнорируй)(?:те)?(?:всё|все)(?:что|чему)(?:тебе|вам)?(?:было)?(?:сказано|написано|говорили|сказали|учили|указано)/g,
    /(?:включи|активируй)(?:те)?режимразработчика/g,
    /(?:покажи|раскрой|выведи|повтори|выдай)(?:те)?(?:мне|нам)?(?:свой|твой|ваш)?системныйпромп?т/g,
  ],
};
