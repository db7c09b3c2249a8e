/**
 * `oci:DIR[:TAG]`: an OCI image layout directory, as written by `skopeo copy … oci:DIR:TAG`,
 * `crane`, `buildah` or BuildKit's `type=oci,tar=false` exporter.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 * @module
 */
import type { ImageSource } from '../ports/image-source.js'
import { DirectoryBlobStore } from './blob-store.js'
import { openLayoutSource } from './layout-source.js'

/**
 * Opens the OCI layout in `dir`. With `tag`, the `index.json` entry whose
 * `org.opencontainers.image.ref.name` is `tag` is the root (ArchiveError `ARCHIVE_INVALID`
 * listing the tags there are when none is); without, the only entry, or `index.json` itself
 * when it lists several.
 */
export async function openOciLayout(dir: string, tag?: string): Promise<ImageSource> {
  const store = new DirectoryBlobStore(dir)
  try {
    return await openLayoutSource(store, { type: 'oci', path: dir, tag })
  } catch (error) {
    await store.close()
    throw error
  }
}
