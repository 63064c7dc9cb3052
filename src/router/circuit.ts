/**
 * A provider's circuit breaker: `threshold` consecutive failures open it; after `cooldownMs` it is
 * half-open and lets exactly one trial request through; the trial's success closes it, its failure
 * opens it for another cooldown. The clock is passed in, so the state machine is testable.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  threshold: number;
  cooldownMs: number;
}

export class Circuit {
  #options: CircuitOptions;
  #failures = 0;
  #openedAt: number | undefined;
  #trialInFlight = false;
  #reason: string | undefined;

  constructor(options: CircuitOptions) {
    this.#options = options;
  }

  /** A reload may change threshold and cooldown; the current state is kept. */
  configure(options: CircuitOptions): void {
    this.#options = options;
  }

  state(now: number): CircuitState {
    if (this.#openedAt === undefined) return 'closed';
    return now - this.#openedAt >= this.#options.cooldownMs ? 'half-open' : 'open';
  }

  /** Why the circuit opened (the last failure), for /ready. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Whether a request may be sent now, without taking the half-open trial slot. */
  canAttempt(now: number): boolean {
    const s = this.state(now);
    return s === 'closed' || (s === 'half-open' && !this.#trialInFlight);
  }

  /** Takes permission to send; in half-open this is the single trial slot. */
  acquire(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'half-open' && !this.#trialInFlight) {
      this.#trialInFlight = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
    this.#trialInFlight = false;
    this.#reason = undefined;
  }

  failure(now: number, reason: string): void {
    this.#reason = reason;
    if (this.#trialInFlight || this.#openedAt !== undefined) {
      // A failed trial (or a failure reported while open) starts a new cooldown.
      this.#openedAt = now;
      this.#trialInFlight = false;
      return;
    }
    this.#failures++;
    if (this.#failures >= this.#options.threshold) this.#openedAt = now;
  }

  /** The request ended without a verdict on the provider (the client went away): free the trial slot. */
  release(): void {
    this.#trialInFlight = false;
  }
}
