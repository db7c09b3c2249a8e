import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { formatReference, manifestReference, parseReference, registryApiHost } from '../../../shared/image/reference.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('parseReference', () => {
  it.each([
    // input, registry, repository, tag, digest
    ['nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['library/nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', undefined],
    ['registry-1.docker.io/bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
    ['bitnami/redis', 'docker.io', 'bitnami/redis', 'latest', undefined],
    ['ghcr.io/org/team/app:v1.2.3', 'ghcr.io', 'org/team/app', 'v1.2.3', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000', 'team/app', 'latest', undefined],
    ['[::1]:5000/app', '[::1]:5000', 'app', 'latest', undefined],
    ['Registry.Example.com/app', 'registry.example.com', 'app', 'latest', undefined],
    [`app@${DIGEST}`, 'docker.io', 'library/app', undefined, DIGEST],
    [`app:1.0@${DIGEST}`, 'docker.io', 'library/app', '1.0', DIGEST],
    [`host:5000/a/b:t@${DIGEST}`, 'host:5000', 'a/b', 't', DIGEST],
    ['a.b/c__d/e-f.g--h', 'a.b', 'c__d/e-f.g--h', 'latest', undefined],
    ['app:_under', 'docker.io', 'library/app', '_under', undefined],
    [`app:${'x'.repeat(128)}`, 'docker.io', 'library/app', 'x'.repeat(128), undefined],
  ])('parses %s', (input, registry, repository, tag, digest) => {
    // Act
    const ref = parseReference(input)
    // Assess
    expect(ref).toEqual({ registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) })
  })

  it.each([
    ['', 'empty'],
    [' nginx', 'whitespace'],
    ['Nginx', 'upper-case repository on docker.io'],
    ['host.io/App', 'upper-case repository'],
    ['nginx:', 'empty tag'],
    ['nginx:-bad', 'tag starting with a dash'],
    [`nginx:${'x'.repeat(129)}`, 'tag too long'],
    ['nginx@sha256:abc', 'short digest'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unknown digest algorithm'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'upper-case digest hex'],
    ['a'.repeat(64), 'bare image id'],
    ['-host.io/app', 'host starting with a dash (taken as a repository)'],
    ['host.io/app//x', 'empty path component'],
    ['host.io/app_', 'trailing separator'],
    ['host.io/a___b', 'three underscores'],
    ['host.io:abc/app', 'non-numeric port'],
    ['host.io/', 'empty repository'],
    [`host.io/${'a'.repeat(260)}`, 'name longer than 255'],
  ])('refuses %j (%s)', (input) => {
    expect(() => parseReference(input)).toThrow(expect.objectContaining({ code: ErrorCode.ReferenceInvalid, name: 'InputError' }))
  })

  it('keeps the digest for fetching when a tag is given too', () => {
    const ref = parseReference(`app:1@${DIGEST}`)
    expect(manifestReference(ref)).toBe(DIGEST)
  })

  it('formats references fully qualified', () => {
    expect(formatReference(parseReference('nginx'))).toBe('docker.io/library/nginx:latest')
    expect(formatReference(parseReference(`h:1/a:t@${DIGEST}`))).toBe(`h:1/a:t@${DIGEST}`)
  })

  it('maps Docker Hub to its API host', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io')
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io')
  })
})
