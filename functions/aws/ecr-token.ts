/**
 * ECR pull credentials from GetAuthorizationToken (valid 12 hours), for the registry client.
 *
 * @module
 */
import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr'
import { ecrCredentials, type CredentialProvider } from '../../shared/registry/credentials.js'

export function ecrTokenProvider(client: ECRClient): CredentialProvider {
  return ecrCredentials(async () => {
    const response = await client.send(new GetAuthorizationTokenCommand({}))
    const data = response.authorizationData?.[0]
    if (!data?.authorizationToken) throw new Error('ECR returned no authorization token')
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt: data.expiresAt?.getTime() ?? Date.now() + 60 * 60_000 }
  })
}
