import { describe, expect, it } from 'vitest'
import { keywordMatcher } from '../../../../shared/analyzers/secrets/keyword-matcher.js'
import { SECRET_RULES } from '../../../../shared/analyzers/secrets/secret-rules.js'

/** What the matcher must agree with: `includes()` on the lower-cased text. */
function naive(keywords: readonly string[], text: string): string[] {
  const lower = text.toLowerCase()
  return [...new Set(keywords)].filter((keyword) => keyword !== '' && lower.includes(keyword)).sort()
}

describe('keywordMatcher', () => {
  it.each<[string, string[], string, string[]]>([
    ['a single keyword', ['token'], 'my token here', ['token']],
    ['none present', ['token', 'secret'], 'nothing to see', []],
    ['upper-case text', ['akia', 'sk_live_'], 'ID AKIAXYZ and SK_LIVE_abc', ['akia', 'sk_live_']],
    ['a keyword inside a longer one', ['sk', 'sk_live_'], 'sk_live_123', ['sk', 'sk_live_']],
    ['overlapping keywords', ['secret_tok', 'et_to'], 'secret_token', ['et_to', 'secret_tok']],
    ['a suffix of a partial match', ['abcd', 'bce'], 'abce', ['bce']],
    ['keywords at the very start and end', ['ab', 'yz'], 'ab...yz', ['ab', 'yz']],
    ['punctuation keywords', [':', '://', '"auths"', 'dp.pt.'], '{"auths": 1} https://x dp.pt.a', ['"auths"', ':', '://', 'dp.pt.']],
    ['non-ASCII text around keywords', ['token'], 'ключ token 🔑', ['token']],
    ['repeated keywords and empty strings', ['a', 'a', ''], 'a', ['a']],
    ['no keywords at all', [], 'anything', []],
    ['an empty text', ['token'], '', []],
  ])('%s', (_name, keywords, text, expected) => {
    // Act
    const found = [...keywordMatcher(keywords).find(text)].sort()
    // Assess
    expect(found).toEqual(expected)
    expect(found).toEqual(naive(keywords, text))
  })

  it('agrees with includes() for every rule keyword on texts that hold some of them', () => {
    // Arrange
    const keywords = SECRET_RULES.flatMap((rule) => rule.keywords)
    const matcher = keywordMatcher(keywords)
    const distinct = [...new Set(keywords)]
    for (let seed = 0; seed < 50; seed++) {
      const picked = distinct.filter((_, i) => (i * 7 + seed * 13) % 11 === 0)
      const text = picked.map((keyword, i) => (i % 2 === 0 ? keyword.toUpperCase() : keyword)).join(` filler${seed} `)
      // Act, Assess
      expect([...matcher.find(text)].sort()).toEqual(naive(keywords, text))
    }
  })

  it('lists the distinct keywords it looks for', () => {
    expect(keywordMatcher(['b', 'a', 'b', '']).keywords).toEqual(['b', 'a'])
  })
})
