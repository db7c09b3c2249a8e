import { describe, expect, it } from 'vitest'
import { parseQuayWebhook } from '../../../shared/webhooks/index.js'
import { CTX, DELETE, changed, expectWebhookError, fixture } from './fixtures.js'

describe('parseQuayWebhook', () => {
  it.each([
    ['quay/repo-push.json', 'quay.io', 'mynamespace/repository', ['latest']],
    ['quay/repo-push-redhat-docs.json', 'quay.io', 'dgangaia/test', ['latest', 'v1.0.0']],
    ['quay/repo-push-self-hosted-legacy.json', 'quay.example.com:8443', 'devtable/complex', ['latest', 'prod']],
  ])('turns %s into one tag-only request per tag', (path, registry, repository, tags) => {
    // Act
    const outcome = parseQuayWebhook(fixture(path), CTX)
    // Assess
    expect(outcome).toEqual({
      kind: 'scan',
      requests: tags.map((tag) => ({
        v: 1,
        registry,
        repository,
        reference: tag,
        tag,
        source: 'quay',
        receivedAt: CTX.receivedAt,
        requestId: CTX.requestId,
      })),
    })
  })

  it('defaults to quay.io and to namespace/name', () => {
    // Prepare
    const body = changed(changed(fixture('quay/repo-push.json'), ['docker_url'], DELETE), ['repository'], DELETE)
    // Act
    const outcome = parseQuayWebhook(body, CTX)
    // Assess
    expect(outcome).toMatchObject({ kind: 'scan', requests: [{ registry: 'quay.io', repository: 'mynamespace/repository' }] })
  })

  it.each([
    ['another notification (build_success)', fixture('quay/build-success.json'), 'Quay notification is not a repo_push (no updated_tags)'],
    ['an empty tag list', changed(fixture('quay/repo-push.json'), ['updated_tags'], []), 'Quay repo_push updated no tags'],
    ['an empty tag map', changed(fixture('quay/repo-push.json'), ['updated_tags'], {}), 'Quay repo_push updated no tags'],
  ])('ignores %s', (_, body, reason) => {
    expect(parseQuayWebhook(body, CTX)).toEqual({ kind: 'ignored', reason })
  })

  const push = fixture('quay/repo-push.json')
  it.each([
    ['not an object', 'repo_push', 'the body must be a JSON object'],
    ['updated_tags as a string', changed(push, ['updated_tags'], 'latest'), 'updated_tags must be an object'],
    ['a tag that is not a string', changed(push, ['updated_tags'], ['latest', 3]), 'updated_tags[1] must be a string'],
    ['an empty tag', changed(push, ['updated_tags'], ['']), 'neither a digest nor a tag'],
    ['a bad tag', changed(push, ['updated_tags'], ['.hidden']), 'tag ".hidden" is not valid'],
    ['docker_url as a number', changed(push, ['docker_url'], 1), 'docker_url must be a string'],
    ['a docker_url without host', changed(push, ['docker_url'], '/mynamespace/repository'), 'does not start with a registry host'],
    ['no repository at all', changed(changed(push, ['repository'], DELETE), ['namespace'], DELETE), 'repository must be a string'],
    ['an upper-case repository', changed(push, ['repository'], 'MyNamespace/Repository'), 'repository name must be lower case'],
  ])('refuses %s', (_, body, message) => {
    expectWebhookError(() => parseQuayWebhook(body, CTX), message)
  })
})
