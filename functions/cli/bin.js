#!/usr/bin/env node
// The `pushscan` executable: runs the TypeScript entry point through tsx's loader, or the
// compiled one when `npm run build` has produced dist/.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const compiled = new URL('../../dist/functions/cli/main.js', import.meta.url)
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(new URL('./main.ts', import.meta.url).href)
}
