/**
 * The scheduled vulnerability refresh (EventBridge → Lambda): re-import the configured OSV
 * sources, re-match every stored report, notify about new critical and high
 * vulnerabilities. Reports that could not be re-matched make the invocation fail (after
 * the rest is done), so the failure shows in the function's errors and its alarm.
 *
 * @module
 */
import { awsVulndbDeps } from '../aws/aws-deps.js'
import { refreshVulnerabilities, type RefreshResult } from '../../shared/vulns/refresh.js'

const { deps, options } = await awsVulndbDeps(process.env)

export const handler = async (): Promise<RefreshResult> => {
  const result = await refreshVulnerabilities(options, deps)
  if (result.reports.failed > 0) throw new Error(`${result.reports.failed} stored reports could not be re-matched (see the log); the others were`)
  return result
}
