/**
 * Finds which of many keywords occur in a text, in one pass: an Aho–Corasick automaton whose
 * alphabet is the set of characters the keywords use (every other character sends it back to
 * the start), compared case-insensitively for ASCII letters. It is the secret scanner's
 * pre-filter: a rule runs only when one of its keywords occurred. One `includes()` per
 * keyword costs one pass each, and a regular expression over 200 alternatives is several
 * times slower than this loop.
 *
 * @module
 */

export interface KeywordMatcher {
  /** The distinct keywords, as given (lower case). */
  readonly keywords: readonly string[]
  /** The keywords that occur in `text`, ASCII letters matched in either case. */
  find(text: string): Set<string>
}

/** At most this many distinct characters across all keywords (the class table is a Uint8Array). */
const MAX_CLASSES = 255

/**
 * A matcher for lower-case `keywords` (empty strings are ignored). Overlapping keywords and
 * keywords inside other keywords (`sk` in `sk_live_`) are all found.
 */
export function keywordMatcher(keywords: readonly string[]): KeywordMatcher {
  const words = [...new Set(keywords.filter((keyword) => keyword !== ''))]

  // character classes: 0 for characters no keyword uses, 1… for the others (both cases of ASCII letters)
  const classOf = new Uint8Array(65536)
  let classes = 1
  for (const char of new Set(words.join(''))) {
    const code = char.charCodeAt(0)
    if (classOf[code] !== 0) continue
    if (classes > MAX_CLASSES) throw new Error(`keywords use more than ${MAX_CLASSES} distinct characters`)
    classOf[code] = classes
    const upper = char.toUpperCase()
    if (upper.length === 1 && upper !== char && classOf[upper.charCodeAt(0)] === 0) classOf[upper.charCodeAt(0)] = classes
    classes++
  }
  let shift = 0
  while (1 << shift < classes) shift++
  const width = 1 << shift

  // the trie
  const next: Int32Array[] = [new Int32Array(width).fill(-1)]
  const outputs: number[][] = [[]]
  words.forEach((word, index) => {
    let state = 0
    for (let i = 0; i < word.length; i++) {
      const cls = classOf[word.charCodeAt(i)]!
      let target = next[state]![cls]!
      if (target === -1) {
        target = next.length
        next[state]![cls] = target
        next.push(new Int32Array(width).fill(-1))
        outputs.push([])
      }
      state = target
    }
    outputs[state]!.push(index)
  })

  // failure links folded into a full transition table, breadth first
  const states = next.length
  const delta = states < 1 << 15 ? new Int16Array(states * width) : new Int32Array(states * width)
  const fail = new Int32Array(states)
  const queue: number[] = []
  for (let cls = 0; cls < width; cls++) {
    const target = next[0]![cls]!
    if (target > 0) {
      delta[cls] = target
      queue.push(target)
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!
    for (let cls = 0; cls < width; cls++) {
      const target = next[state]![cls]!
      const fallback = delta[(fail[state]! << shift) | cls]!
      if (target === -1) {
        delta[(state << shift) | cls] = fallback
      } else {
        delta[(state << shift) | cls] = target
        fail[target] = fallback
        outputs[target]!.push(...outputs[fallback]!)
        queue.push(target)
      }
    }
  }
  const hasOutput = new Uint8Array(states)
  outputs.forEach((found, state) => {
    if (found.length > 0) hasOutput[state] = 1
  })

  return {
    keywords: words,
    find(text: string): Set<string> {
      const found = new Set<string>()
      if (words.length === 0) return found
      // a state's outputs are reported once; then the state is as good as silent
      const live = hasOutput.slice()
      let state = 0
      for (let i = 0, length = text.length; i < length; i++) {
        state = delta[(state << shift) | classOf[text.charCodeAt(i)]!]!
        if (live[state] === 1) {
          live[state] = 0
          for (const index of outputs[state]!) found.add(words[index]!)
          if (found.size === words.length) break
        }
      }
      return found
    },
  }
}
