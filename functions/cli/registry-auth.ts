/**
 * Where the CLI finds registry credentials: `--username` with `--password-stdin`, then
 * `--registry-auth FILE`, then `$REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG/config.json` and
 * `~/.docker/config.json` (docker `config.json` format, `auths` entries).
 *
 * @module
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chainCredentials, parseDockerConfig, staticCredentials, type CredentialProvider, type Credentials } from '../../shared/registry/credentials.js'
import { ErrorCode, InputError } from '../../shared/errors.js'
import type { Logger } from '../../shared/ports/logger.js'
import type { CliIo } from './cli-io.js'

export interface AuthOptions {
  registry: string
  username?: string
  password?: string
  registryAuth?: string
}

export async function credentialsFor(options: AuthOptions, io: CliIo, logger: Logger): Promise<CredentialProvider> {
  const providers: CredentialProvider[] = []
  if (options.username !== undefined) {
    const credentials: Credentials = { username: options.username, password: options.password ?? '' }
    providers.push(staticCredentials({ [options.registry]: credentials }))
  }
  if (options.registryAuth) {
    providers.push(staticCredentials(parseDockerConfig(await readRequired(options.registryAuth))))
  } else {
    for (const path of defaultAuthFiles(io)) {
      const bytes = await readFile(path).catch(() => undefined)
      if (!bytes) continue
      try {
        providers.push(staticCredentials(parseDockerConfig(bytes)))
      } catch (error) {
        logger.warn(`ignoring ${path}: ${(error as Error).message}`)
      }
    }
  }
  return chainCredentials(...providers)
}

function defaultAuthFiles(io: CliIo): string[] {
  const files: string[] = []
  if (io.env.REGISTRY_AUTH_FILE) files.push(io.env.REGISTRY_AUTH_FILE)
  if (io.env.DOCKER_CONFIG) files.push(join(io.env.DOCKER_CONFIG, 'config.json'))
  if (io.homeDir) files.push(join(io.homeDir, '.docker', 'config.json'))
  return files
}

async function readRequired(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (error) {
    throw new InputError(ErrorCode.CredentialsInvalid, `cannot read registry auth file ${path}: ${(error as Error).message}`)
  }
}

/** Reads a password piped on stdin (trailing newline dropped). */
export async function readPasswordFromStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}
