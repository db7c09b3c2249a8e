import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/.cache holds fixture root filesystems (debootstrap), never tests
    exclude: ['**/node_modules/**', 'test/.cache/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // two cores: keep the worker count at two and give real-server tests room
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
})
