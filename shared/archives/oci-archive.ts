/**
 * `oci-archive:PATH[:TAG]`: a tar file holding an OCI image layout (`skopeo copy …
 * oci-archive:`, `docker buildx build --output type=oci`), read in place through a tar index.
 * The archive must be uncompressed.
 *
 * @module
 */
import type { ImageSource } from '../ports/image-source.js'
import { TarBlobStore } from './blob-store.js'
import { openLayoutSource } from './layout-source.js'
import { readTarIndex } from './tar-index.js'

/**
 * Opens the OCI layout inside the tar file at `path`; root selection as in
 * `openOciLayout`. Blobs are streamed from their offsets in the file.
 */
export async function openOciArchive(path: string, tag?: string): Promise<ImageSource> {
  const store = new TarBlobStore(await readTarIndex(path))
  try {
    return await openLayoutSource(store, { type: 'oci-archive', path, tag })
  } catch (error) {
    await store.close()
    throw error
  }
}
