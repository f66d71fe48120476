import { z } from 'zod'

/** Distinct values a comma-list parameter may name: more is a 400 naming the parameter. */
export const MAX_LIST_VALUES = 64

/**
 * A comma list, normalised before anything reads it: values trimmed, lower-cased, empty ones dropped,
 * duplicates removed (first occurrence kept), at most MAX_LIST_VALUES distinct values — so that what
 * a query costs never grows with the input (600 spellings of `Temperature` are one value). Elysia
 * hands a value containing commas (or a repeated key) over as an array: both spellings are accepted.
 * The result is the normalised list joined by commas (absent when the parameter is).
 */
export const commaList = (description: string) =>
  z
    .preprocess(
      (v) => (Array.isArray(v) ? v.join(',') : v),
      z
        .string()
        .transform((s) => [
          ...new Set(
            s
              .split(',')
              .map((x) => x.trim().toLowerCase())
              .filter(Boolean),
          ),
        ])
        .refine((values) => values.length <= MAX_LIST_VALUES, `at most ${MAX_LIST_VALUES} distinct comma-separated values`)
        .transform((values) => values.join(','))
        .optional(),
    )
    .describe(description)

/** A boolean query flag: `true`/`1` or `false`/`0` (z.coerce.boolean would read "false" as true). */
export const flag = (description: string) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe(description)
