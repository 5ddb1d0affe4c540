// "did you mean …?" for every unknown name in the configuration (keywords, sections, fetches,
// converters, ACLs, match methods, actions, …): the closest known name by edit distance, when
// it is close enough to be a plausible typo — at most a third of the word's length, and never
// fewer than 2 edits. HAProxy does the same for its keywords since 2.4. One module and one
// wording, so every message reads the same way.

/** Longer words get no suggestion and are compared on their first characters only: a hostile
 * 60 kB word must not cost 60k × candidates steps. Names are far shorter. */
const MAX_COMPARED_CHARS = 64;

/**
 * Edit distance with adjacent transpositions (optimal string alignment): insert, delete,
 * substitute or swap two neighbours each cost 1, so the commonest typo (`fc_pp_tvl`) is one
 * edit from the name it misspells.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const s = a.slice(0, MAX_COMPARED_CHARS);
  const t = b.slice(0, MAX_COMPARED_CHARS);
  let before = new Array<number>(t.length + 1).fill(0);
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      current[j] = d;
    }
    before = previous;
    previous = current;
  }
  return previous[t.length] as number;
}

/** The closest candidate (case-insensitive; on a tie the first listed, so callers list the likeliest first), or undefined. */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  // No name is this long: a huge word is no typo of one, and comparing it would cost time.
  if (word.length > MAX_COMPARED_CHARS) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Message suffix: ` (did you mean 'x'?)`, or '' when nothing is close. */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const best = closestName(word, candidates);
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}
