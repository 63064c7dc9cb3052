import type { ProviderAdapter } from '../providers/provider.ts';
import { statusVerdict } from '../router/attempt-policy.ts';
import type { Circuit } from '../router/circuit.ts';
import type { UpstreamCall } from '../upstream/call.ts';
import type { UpstreamResponse } from '../upstream/http.ts';

/** One upstream send; wrappers add policy around it without the caller touching that policy. */
export type Send = (call: UpstreamCall) => Promise<UpstreamResponse>;
export type Wrap = (send: Send) => Send;

/**
 * Books the provider's circuit from what the upstream did: a transport error or a status the
 * attempt policy counts against the provider is a failure, anything else a success. A client that
 * went away is no verdict: the half-open trial slot is freed. What happens before the send
 * (building the call from the client's input) never reaches the circuit.
 */
export function withCircuit(circuit: Circuit, signal: AbortSignal): Wrap {
  return (send) => async (call) => {
    let res: UpstreamResponse;
    try {
      res = await send(call);
    } catch (error) {
      if (signal.aborted) circuit.release();
      else circuit.failure(performance.now(), (error as Error).message);
      throw error;
    }
    if (statusVerdict(res.status).circuit === 'failure') circuit.failure(performance.now(), `answered HTTP ${res.status}`);
    else circuit.success();
    return res;
  };
}

/** An OAuth token the upstream no longer takes: refresh it and send the call, rebuilt with the new token, once more. */
export function withCredentialRefresh(adapter: ProviderAdapter, rebuild: () => Promise<UpstreamCall>): Wrap {
  return (send) => async (call) => {
    const res = await send(call);
    if (res.status !== 401 || adapter.refreshCredentials === undefined) return res;
    if (!(await adapter.refreshCredentials())) return res;
    res.body.resume();
    return send(await rebuild());
  };
}
