import { GatewayError } from '../../core/errors.ts';

/**
 * A read from the ledger's store for the admin API: a store that is down is a 503 that says so
 * (without the store's own message, which may name its host), not a 500.
 */
export async function fromStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('ledger_unavailable', 'The usage ledger cannot be read now (its store is unavailable); requests are still served and their records queued.', { cause: error });
  }
}
