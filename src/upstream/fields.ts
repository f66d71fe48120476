import { z } from 'zod'

/**
 * Field schemas shared by the adapters and reference parsers. Every optional upstream field falls back
 * to null when missing or of the wrong type: a newer upstream schema must never fail an item.
 */
export const optional = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null)

export const positiveInt = z.number().int().positive()
export const num = optional(z.number())
export const flag = optional(z.boolean())
export const strings = optional(z.array(z.string()))
/** A date string JavaScript can read ("2026-05-12T00:00:00Z"); anything else is unknown. */
export const date = optional(z.string().refine((s) => !Number.isNaN(Date.parse(s))))
