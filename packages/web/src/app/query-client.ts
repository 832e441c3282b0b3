/**
 * The TanStack Query client: no retries on client errors (a 4xx will not heal by itself), and a
 * 401 from any request re-asks /me so the app falls back to the sign-in page.
 */
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/http-client";
import { meKey } from "../auth/auth-api";

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (err, query) => onAnyError(err, query.queryKey[0]) }),
    mutationCache: new MutationCache({ onError: (err) => onAnyError(err, null) }),
    defaultOptions: {
      queries: {
        retry: (count, err) =>
          !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
        refetchOnWindowFocus: true,
        staleTime: 5_000,
      },
    },
  });
  function onAnyError(err: unknown, key: unknown) {
    if (err instanceof ApiError && err.isUnauthorized && key !== meKey[0]) {
      void client.invalidateQueries({ queryKey: meKey });
    }
  }
  return client;
}
