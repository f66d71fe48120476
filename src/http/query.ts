import { z } from 'zod'

/**
 * Elysia hands a query value containing commas (or a repeated key) over as an array: both spellings
 * of a list are accepted and joined back into one comma list.
 */
export const commaList = (description: string) =>
  z
    .preprocess((v) => (Array.isArray(v) ? v.join(',') : v), z.string().optional())
    .describe(description)

/** A boolean query flag: `true`/`1` or `false`/`0` (z.coerce.boolean would read "false" as true). */
export const flag = (description: string) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe(description)
