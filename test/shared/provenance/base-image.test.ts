import { describe, expect, it } from 'vitest'
import type { HistoryEntry } from '../../../shared/image/config.js'
import type { Digest } from '../../../shared/image/digest.js'
import { baseLayersFromHistory, compareWithBase, declaredBase, guessBaseFromHistory, instructionOf } from '../../../shared/provenance/base-image.js'
import { digestOf } from './fixtures.js'

const BASE_DIGEST = digestOf('b')

function h(createdBy: string, emptyLayer = false): HistoryEntry {
  return { created: '2024-06-13T00:00:00Z', createdBy, emptyLayer }
}

describe('declaredBase', () => {
  it.each([
    [
      'annotations with name and digest',
      { 'org.opencontainers.image.base.name': 'docker.io/library/debian:bookworm-slim', 'org.opencontainers.image.base.digest': BASE_DIGEST },
      {},
      { name: 'docker.io/library/debian:bookworm-slim', digest: BASE_DIGEST, evidence: 'annotation' },
    ],
    ['labels when there are no annotations', undefined, { 'org.opencontainers.image.base.name': 'alpine:3.20' }, { name: 'alpine:3.20', evidence: 'label' }],
    [
      'annotations over labels',
      { 'org.opencontainers.image.base.name': 'debian:12' },
      { 'org.opencontainers.image.base.name': 'alpine:3.20', 'org.opencontainers.image.base.digest': BASE_DIGEST },
      { name: 'debian:12', evidence: 'annotation' },
    ],
    ['a malformed digest dropped', { 'org.opencontainers.image.base.name': 'debian:12', 'org.opencontainers.image.base.digest': 'sha256:nope' }, {}, { name: 'debian:12', evidence: 'annotation' }],
    ['a digest without a name ignored', { 'org.opencontainers.image.base.digest': BASE_DIGEST }, {}, undefined],
    ['a blank name ignored', { 'org.opencontainers.image.base.name': '  ' }, undefined, undefined],
    ['nothing', undefined, undefined, undefined],
  ])('reads %s', (_name, annotations, labels, expected) => {
    expect(declaredBase(annotations, labels)).toEqual(expected)
  })
})

describe('compareWithBase', () => {
  it.each([
    ['the base is a prefix', ['a', 'b', 'c'], ['a', 'b'], { confirmed: true, sharedLayers: 2 }],
    ['the image is the base (config-only change)', ['a', 'b'], ['a', 'b'], { confirmed: true, sharedLayers: 2 }],
    ['a base layer differs', ['a', 'x', 'c'], ['a', 'b'], { confirmed: false, sharedLayers: 1 }],
    ['the layers are another base', ['x', 'y', 'z'], ['a', 'b'], { confirmed: false, sharedLayers: 0 }],
    ['the base has more layers than the image', ['a'], ['a', 'b'], { confirmed: false, sharedLayers: 1 }],
    ['the base layers appear out of order', ['b', 'a', 'c'], ['a', 'b'], { confirmed: false, sharedLayers: 0 }],
    ['the base has no layers', ['a'], [], { confirmed: false, sharedLayers: 0 }],
  ])('when %s', (_name, image, base, expected) => {
    expect(compareWithBase(image, base)).toEqual(expected)
  })
})

describe('instructionOf', () => {
  it.each([
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD'],
    ['/bin/sh -c #(nop) ADD file:5d673d25da3a14ce1f6cf66e4c7fd4f4b85a3759a9d93efb3fd9ff852b5b56e4 in / ', 'ADD'],
    ['/bin/sh -c #(nop) WORKDIR /app', 'WORKDIR'],
    ['/bin/sh -c apt-get update && apt-get install -y curl', 'RUN'],
    ['|2 VERSION=1.2 TARGETARCH=amd64 /bin/sh -c make install', 'RUN'],
    ['cmd /S /C #(nop)  ENTRYPOINT ["app.exe"]', 'ENTRYPOINT'],
    ['cmd /S /C powershell -Command Install-Thing', 'RUN'],
    ['CMD ["bash"]', 'CMD'],
    ['ENTRYPOINT ["/docker-entrypoint.sh"]', 'ENTRYPOINT'],
    ['RUN /bin/sh -c pip install -r requirements.txt # buildkit', 'RUN'],
    ['COPY . /app # buildkit', 'COPY'],
    ['WORKDIR /app', 'WORKDIR'],
    ["# debian.sh --arch 'amd64' out/ 'bookworm' '@1718236800'", undefined],
    ['bazel build //base:static', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (createdBy, instruction) => {
    expect(instructionOf(createdBy)).toBe(instruction)
  })
})

/** `FROM debian:bookworm` (debuerreotype history) + WORKDIR, COPY, RUN and metadata, built with BuildKit. */
const debianApp: HistoryEntry[] = [
  h("# debian.sh --arch 'amd64' out/ 'bookworm' '@1718236800'"),
  h('CMD ["bash"]', true),
  h('WORKDIR /app'),
  h('COPY requirements.txt . # buildkit'),
  h('RUN /bin/sh -c pip install -r requirements.txt # buildkit'),
  h('COPY . . # buildkit'),
  h('ENV PORT=8080', true),
  h('EXPOSE map[8080/tcp:{}]', true),
  h('CMD ["python3" "app.py"]', true),
]

/** `FROM python:3.12-slim` (classic builder, several layers, ends with CMD) + the user's layers. */
const pythonApp: HistoryEntry[] = [
  h('/bin/sh -c #(nop) ADD file:ab12 in / '),
  h('/bin/sh -c #(nop)  CMD ["bash"]', true),
  h('/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin', true),
  h('/bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates netbase tzdata'),
  h('/bin/sh -c #(nop)  ENV PYTHON_VERSION=3.12.4', true),
  h('/bin/sh -c set -eux; savedAptMark="$(apt-mark showmanual)"; ./configure; make install'),
  h('/bin/sh -c set -eux; for src in idle3 pydoc3 python3 python3-config; do ln -svT "$src" "/usr/local/bin/$dst"; done'),
  h('/bin/sh -c #(nop)  CMD ["python3"]', true),
  h('/bin/sh -c #(nop) COPY dir:cd34 in /srv '),
  h('/bin/sh -c pip install /srv'),
  h('/bin/sh -c #(nop)  USER nobody', true),
  h('/bin/sh -c #(nop)  ENTRYPOINT ["serve"]', true),
]

/** `FROM tini-base` ending with ENTRYPOINT rather than CMD. */
const entrypointBase: HistoryEntry[] = [
  h('ADD alpine-minirootfs-3.20.0-x86_64.tar.gz / # buildkit'),
  h('CMD ["/bin/sh"]', true),
  h('RUN /bin/sh -c apk add --no-cache tini # buildkit'),
  h('ENTRYPOINT ["/sbin/tini" "--"]', true),
  h('COPY app /usr/local/bin/app # buildkit'),
  h('CMD ["app"]', true),
]

/** A multi-stage build: only the final stage (`FROM alpine`, `COPY --from=build`) is in the history. */
const multiStageAlpine: HistoryEntry[] = [
  h('ADD alpine-minirootfs-3.20.0-x86_64.tar.gz / # buildkit'),
  h('CMD ["/bin/sh"]', true),
  h('COPY /out/app /usr/local/bin/app # buildkit'),
  h('USER 65532:65532', true),
  h('ENTRYPOINT ["app"]', true),
]

/** A multi-stage build whose final stage is `FROM scratch`. */
const multiStageScratch: HistoryEntry[] = [h('COPY /out/app /app # buildkit'), h('COPY /etc/ssl/certs /etc/ssl/certs # buildkit'), h('ENTRYPOINT ["/app"]', true)]

/** A flattened image (`docker import`) and a Bazel-built one: no empty entries at all. */
const noEmptyLayers: HistoryEntry[] = [h('Imported from -'), h('bazel build //app:image'), h('bazel build //app:layer')]

/** `FROM debian` with only a CMD on top: the image adds no layer of its own. */
const metadataOnly: HistoryEntry[] = [h("# debian.sh --arch 'amd64' out/ 'bookworm' '@1718236800'"), h('CMD ["bash"]', true), h('CMD ["sleep" "infinity"]', true)]

describe('guessBaseFromHistory', () => {
  it.each([
    ['a Debian base then WORKDIR, COPY, RUN', debianApp, { lastBaseEntry: 1, baseLayers: 1, instruction: 'CMD' }],
    ['a multi-layer python base (classic builder)', pythonApp, { lastBaseEntry: 7, baseLayers: 4, instruction: 'CMD' }],
    ['a base ending with ENTRYPOINT', entrypointBase, { lastBaseEntry: 3, baseLayers: 2, instruction: 'ENTRYPOINT' }],
    ['a multi-stage build onto alpine', multiStageAlpine, { lastBaseEntry: 1, baseLayers: 1, instruction: 'CMD' }],
    ['a multi-stage build onto scratch', multiStageScratch, undefined],
    ['a history without empty layers', noEmptyLayers, undefined],
    ['an image that adds no layer', metadataOnly, undefined],
    ['an empty history', [], undefined],
    ['a CMD with no layer below it', [h('CMD ["x"]', true), h('COPY a /a # buildkit')], undefined],
  ])('on %s', (_name, history, expected) => {
    expect(guessBaseFromHistory(history)).toEqual(expected)
  })

  it('takes a CMD of the user between two layers for the end of the base (a documented limit)', () => {
    const history = [h('ADD rootfs.tar / # buildkit'), h('CMD ["sh"]', true), h('RUN a # buildkit'), h('CMD ["a"]', true), h('RUN b # buildkit')]
    expect(guessBaseFromHistory(history)).toEqual({ lastBaseEntry: 3, baseLayers: 2, instruction: 'CMD' })
  })
})

describe('baseLayersFromHistory', () => {
  const diffIds = ['1', '2', '3', '4', '5', '6'].map(digestOf) as Digest[]

  it('gives the diffIds of the guessed base', () => {
    expect(baseLayersFromHistory(pythonApp, diffIds)).toEqual(diffIds.slice(0, 4))
  })

  it('gives nothing when the history claims more layers than there are, or has no guess', () => {
    expect(baseLayersFromHistory(pythonApp, diffIds.slice(0, 3))).toBeUndefined()
    expect(baseLayersFromHistory(noEmptyLayers, diffIds)).toBeUndefined()
  })
})
