/**
 * The English stopword list: function words (articles, pronouns, auxiliaries, prepositions,
 * conjunctions) that carry no topic. Content-bearing words that are merely frequent are not
 * here; BM25's idf already discounts them.
 * @module
 */

/**
 * English function words dropped from documents and queries, compared before stemming.
 * @example
 * ENGLISH_STOPWORDS.has("the") // true
 */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again all also am an and any are as at be because been before being " +
    "both but by can could did do does doing don't during each either for from further had has " +
    "have having he her here hers herself him himself his how i if in into is isn't it it's its " +
    "itself just me might must my myself nor of off on once or other our ours ourselves out over " +
    "own same shall she should so some such than that that's the their theirs them themselves " +
    "then there there's these they this those through thus to too under until up upon us very " +
    "was we were what when where whether which while who whom whose why will with would yet you " +
    "your yours yourself yourselves"
  ).split(" "),
);
