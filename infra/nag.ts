/**
 * Helpers for cdk-nag suppressions that name exactly what they excuse.
 *
 * @module
 */
import { Stack } from 'aws-cdk-lib'
import type { IConstruct } from 'constructs'

/**
 * The form cdk-nag gives a resource or action in a finding (`Resource::<Bucket1234.Arn>/*`),
 * for `appliesTo`: a token is resolved and flattened the way cdk-nag flattens it (`Ref` →
 * `<Id>`, `Fn::GetAtt` → `<Id.Attr>`, `Fn::Join` concatenated), so a suppression names
 * one resource instead of a pattern.
 */
export function nagResource(scope: IConstruct, value: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(value))}`
}

function flatten(node: unknown): string {
  if (node === undefined) return ''
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>')
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]]
      return items.map(flatten).join(delimiter)
    }
    if (o['Fn::Sub'] !== undefined) return flatten(o['Fn::Sub'])
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown]
      return `<${flatten(resource)}.${flatten(attribute)}>`
    }
    if (o['Fn::ImportValue'] !== undefined) return flatten(o['Fn::ImportValue'])
    if (o.Ref !== undefined) return `<${flatten(o.Ref)}>`
  }
  return JSON.stringify(node)
}
