// Validates values against components.schemas of the Spotify OpenAPI 3.0 spec kept in
// test/fixtures/spotify-openapi (a byte-for-byte copy; see SOURCES.md there).

import { readFileSync } from 'node:fs'
import { Ajv, type AnySchemaObject } from 'ajv'
import addFormatsPlugin from 'ajv-formats'
import { parse } from 'yaml'

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default

const SPEC = new URL('../fixtures/spotify-openapi/fixed-spotify-open-api.yml', import.meta.url)
const DOC_ID = 'spotify-openapi'

type Schemas = Record<string, AnySchemaObject>

export interface OpenApi {
  /** Ajv's errors as `<instance path> <message>`; empty when the value is valid. */
  validateAgainst: (schemaName: string, value: unknown) => string[]
  /** Paths of properties the schema lists but the value lacks, recursively. The spec marks
   *  few properties required, yet Spotify sends all of them; `optional` names the exceptions. */
  missingProperties: (schemaName: string, value: unknown, optional?: ReadonlySet<string>) => string[]
}

/** Every key in the schemas that is an OpenAPI 3.0 extension rather than JSON Schema. */
function extensionKeywords (node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const n of node) extensionKeywords(n, found)
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('x-')) found.add(k)
      extensionKeywords(v, found)
    }
  }
  return found
}

export function loadOpenApi (file: URL = SPEC): OpenApi {
  const schemas = (parse(readFileSync(file, 'utf8')) as { components: { schemas: Schemas } }).components.schemas

  // Strict mode stays on, so a keyword Ajv does not know fails loudly instead of being skipped.
  // strictRequired is off: PagingObject requires `items`, which only the schemas extending it define.
  // `nullable: true` is built into Ajv 8 (it adds "null" to `type`). `deprecated` is JSON Schema
  // metadata. `example`, `x-*` and `discriminator` are annotations here: Ajv's discriminator
  // support needs `type` required in every branch, which TrackObject lacks, and both branches of
  // PlaylistTrackObject's oneOf already exclude each other through their `type` enums.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false })
  addFormats(ajv) // date-time, and OpenAPI's int64/float
  ajv.addVocabulary(['components', 'discriminator', 'example', ...extensionKeywords(schemas)])
  // AlbumObject lists `required` beside its allOf without `type: object`, which strict mode refuses
  // (strictTypes); `required` means an object, so that is what such a schema says.
  for (const schema of Object.values(schemas)) {
    if (schema.required !== undefined && schema.type === undefined) schema.type = 'object'
  }
  // One document holding the schemas where the spec has them, so `#/components/schemas/<Name>` resolves.
  ajv.addSchema({ $id: DOC_ID, components: { schemas } })

  const validateAgainst = (schemaName: string, value: unknown): string[] => {
    if (schemas[schemaName] === undefined) throw new Error(`no schema ${schemaName}`)
    const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${schemaName}`)
    if (validate === undefined) throw new Error(`cannot compile ${schemaName}`)
    if (validate(value)) return []
    return (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message ?? e.keyword}`)
  }

  const resolve = (schema: AnySchemaObject): AnySchemaObject => {
    const ref = schema.$ref as string | undefined
    const target = ref === undefined ? schema : schemas[ref.replace('#/components/schemas/', '')]
    if (target === undefined) throw new Error(`unresolved ${ref}`)
    return target
  }

  /** The schema's own properties merged with those of its allOf parts. */
  const propertiesOf = (schema: AnySchemaObject): Record<string, AnySchemaObject> => {
    const s = resolve(schema)
    const parts = (s.allOf ?? []) as AnySchemaObject[]
    return Object.assign({}, ...parts.map(propertiesOf), s.properties)
  }

  const missing = (schema: AnySchemaObject, value: unknown, path: string, optional: ReadonlySet<string>): string[] => {
    const s = resolve(schema)
    if (Array.isArray(value)) {
      return s.items === undefined ? [] : value.flatMap((v, i) => missing(s.items, v, `${path}/${i}`, optional))
    }
    if (typeof value !== 'object' || value === null) return []
    const record = value as Record<string, unknown>
    if (s.oneOf !== undefined) {
      // The branch the discriminator names.
      const branch = (s.oneOf as AnySchemaObject[]).find(b => propertiesOf(b).type?.enum?.includes(record.type))
      return branch === undefined ? [`${path || '/'} matches no oneOf branch`] : missing(branch, value, path, optional)
    }
    return Object.entries(propertiesOf(s)).flatMap(([name, prop]) => {
      if (optional.has(name)) return []
      if (record[name] === undefined) return [`${path}/${name}`] // JSON drops undefined
      return missing(prop, record[name], `${path}/${name}`, optional)
    })
  }

  const missingProperties = (schemaName: string, value: unknown, optional: ReadonlySet<string> = new Set()): string[] =>
    missing({ $ref: `#/components/schemas/${schemaName}` }, value, '', optional)

  return { validateAgainst, missingProperties }
}
