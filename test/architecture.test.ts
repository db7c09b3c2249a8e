import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCANNER_VERSION } from '../shared/version.js'

const ROOT = new URL('..', import.meta.url).pathname

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path)
    return /\.(ts|js|mjs)$/.test(name) ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const specifiers: string[] = []
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    specifiers.push((match[1] ?? match[2] ?? match[3])!)
  }
  return specifiers
}

describe('the pure core in shared/', () => {
  const files = sourceFiles('shared')

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(20)
  })

  it.each(files)('%s imports no AWS SDK, Hono, Lambda types, functions/ or infra/', (file) => {
    const forbidden = importsOf(file).filter(
      (spec) =>
        spec.startsWith('@aws-sdk/') ||
        spec === 'aws-lambda' ||
        spec.startsWith('@types/aws-lambda') ||
        spec === 'hono' ||
        spec.startsWith('hono/') ||
        spec.startsWith('@hono/') ||
        spec.startsWith('aws-cdk-lib') ||
        /(^|\/)(functions|infra)\//.test(relative(ROOT, join(ROOT, file, '..', spec)).replace(/\\/g, '/'))
    )
    expect(forbidden).toEqual([])
  })

  it.each(files)('%s never hands an async function to forEach or an event listener', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8')
    expect(text).not.toMatch(/\.forEach\(\s*async\b/)
    expect(text).not.toMatch(/\.on\(\s*['"][a-z]+['"]\s*,\s*async\b/)
  })
})

describe('the version', () => {
  it('in reports is package.json version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(SCANNER_VERSION).toBe(pkg.version)
  })
})
