/**
 * When each provider is due: every provider on its own interval (`[providers.<id>] interval_seconds`, else
 * `refresh.interval_seconds`), so a 16k-model list need not be fetched as often as a 20-model one. Pure:
 * the caller says what time it is. Providers due at the same tick are fetched together (one commit).
 */
export class RefreshSchedule {
  readonly #next = new Map<string, number>()

  /** `intervalsMs`: each scheduled provider's interval (ms). */
  constructor(private readonly intervalsMs: ReadonlyMap<string, number>) {}

  /** The providers due at `now` (a provider never fetched is due at once). */
  due(now: number): string[] {
    return [...this.intervalsMs.keys()].filter((id) => (this.#next.get(id) ?? Number.NEGATIVE_INFINITY) <= now)
  }

  /** Records that `ids` were fetched (their refresh ended at `now`): each is next due one interval later. */
  ran(ids: readonly string[], now: number) {
    for (const id of ids) {
      const interval = this.intervalsMs.get(id)
      if (interval !== undefined) this.#next.set(id, now + interval)
    }
  }

  /** Milliseconds from `now` until the next provider is due (0: one is due now). */
  delay(now: number): number {
    let soonest = Number.POSITIVE_INFINITY
    for (const id of this.intervalsMs.keys()) soonest = Math.min(soonest, this.#next.get(id) ?? Number.NEGATIVE_INFINITY)
    return soonest === Number.POSITIVE_INFINITY ? 2 ** 31 - 1 : Math.max(0, soonest - now)
  }
}
