/**
 * Local image sources: `docker-archive:PATH[:TAG]`, `oci-archive:PATH[:TAG]` and
 * `oci:DIR[:TAG]`, the transports skopeo and podman name the same way. Nothing is
 * extracted: archives are read in place.
 *
 * @module
 */
import { stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { ArchiveError, ErrorCode, InputError } from '../errors.js'
import type { ImageSource } from '../ports/image-source.js'
import { openDockerArchive } from './docker-archive.js'
import { openOciArchive } from './oci-archive.js'
import { openOciLayout } from './oci-layout.js'

export { openDockerArchive } from './docker-archive.js'
export { openOciArchive } from './oci-archive.js'
export { openOciLayout } from './oci-layout.js'

/** The local transports, as prefixes of an image argument. */
export type LocalTransport = 'docker-archive' | 'oci-archive' | 'oci'

const TRANSPORTS: readonly LocalTransport[] = ['docker-archive', 'oci-archive', 'oci']

/** A parsed local image argument. */
export interface LocalImageSpec {
  transport: LocalTransport
  path: string
  tag?: string
}

/** The transport `spec` starts with, or undefined for anything else (a registry reference). */
export function localTransport(spec: string): LocalTransport | undefined {
  return TRANSPORTS.find((transport) => spec.startsWith(`${transport}:`))
}

/**
 * Splits `TRANSPORT:PATH[:TAG]`, looking at the disk: when the whole remainder exists it is
 * the path; otherwise the longest part before a `:` that exists is, and the rest is the tag
 * (so `docker-archive:img.tar:app:1` reads tag `app:1` from `img.tar`). Returns undefined
 * when `spec` names no local transport; ArchiveError `ARCHIVE_NOT_FOUND` when nothing exists.
 */
export async function parseLocalImageSpec(spec: string): Promise<LocalImageSpec | undefined> {
  const transport = localTransport(spec)
  if (!transport) return undefined
  const rest = spec.slice(transport.length + 1)
  if (rest === '') throw new InputError(ErrorCode.Usage, `"${spec}" names no path: expected ${transport}:PATH[:TAG]`)
  if (await exists(rest)) return { transport, path: rest }
  for (let colon = rest.lastIndexOf(':'); colon > 0; colon = rest.lastIndexOf(':', colon - 1)) {
    const path = rest.slice(0, colon)
    const tag = rest.slice(colon + 1)
    if (tag !== '' && (await exists(path))) return { transport, path, tag }
  }
  throw new ArchiveError(ErrorCode.ArchiveNotFound, `no such file or directory: "${rest}" (from ${transport}:PATH[:TAG])`)
}

/**
 * Opens `docker-archive:PATH[:TAG]`, `oci-archive:PATH[:TAG]` or `oci:DIR[:TAG]`; returns
 * undefined for anything else, which is a registry reference. Missing paths are ArchiveError
 * `ARCHIVE_NOT_FOUND`; a directory given as an archive, or a file as a layout, `ARCHIVE_INVALID`.
 */
export async function openLocalImage(spec: string): Promise<ImageSource | undefined> {
  const parsed = await parseLocalImageSpec(spec)
  if (!parsed) return undefined
  const { transport, path, tag } = parsed
  let stats: Stats
  try {
    stats = await stat(path)
  } catch (error) {
    throw new ArchiveError(ErrorCode.ArchiveNotFound, `cannot read "${path}": ${(error as Error).message}`, { cause: error })
  }
  checkKind(transport, path, stats)
  switch (transport) {
    case 'docker-archive':
      return openDockerArchive(path, tag)
    case 'oci-archive':
      return openOciArchive(path, tag)
    case 'oci':
      return openOciLayout(path, tag)
  }
}

function checkKind(transport: LocalTransport, path: string, stats: Stats): void {
  if (transport === 'oci' && !stats.isDirectory()) {
    throw new ArchiveError(ErrorCode.ArchiveInvalid, `"${path}" is not a directory; oci: names an OCI layout directory (use oci-archive: for a tar file)`)
  }
  if (transport !== 'oci' && !stats.isFile()) {
    throw new ArchiveError(ErrorCode.ArchiveInvalid, `"${path}" is not a file; ${transport}: names a tar file${stats.isDirectory() ? ' (use oci: for a layout directory)' : ''}`)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
