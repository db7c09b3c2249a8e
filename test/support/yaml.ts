/**
 * A tiny YAML writer for configuration files made of plain objects, arrays, strings,
 * numbers and booleans. Strings are always double-quoted (JSON escaping is valid YAML).
 *
 * @module
 */

/** A value {@link toYaml} can write. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined }

function scalar(value: string | number | boolean | null): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object'
}

function lines(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) return [`${indent}${scalar(value)}`]
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}[]`]
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${indent}- ${scalar(item)}`]
      const nested = lines(item, `${indent}  `)
      const first = nested[0] ?? ''
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...nested.slice(1)]
    })
  }
  const entries = Object.entries(value).filter((entry): entry is [string, YamlValue] => entry[1] !== undefined)
  if (entries.length === 0) return [`${indent}{}`]
  return entries.flatMap(([key, item]) => {
    if (isScalar(item)) return [`${indent}${key}: ${scalar(item)}`]
    if (Array.isArray(item) && item.length === 0) return [`${indent}${key}: []`]
    return [`${indent}${key}:`, ...lines(item, `${indent}  `)]
  })
}

/** Serialises `value` as a YAML document (keys are written as given and must be plain words). */
export function toYaml(value: YamlValue): string {
  return `${lines(value, '').join('\n')}\n`
}
