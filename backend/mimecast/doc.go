// Package mimecast is a client for the Mimecast gateway API as a SOC console
// needs it: blocked-sender policies, profile groups, managed senders and
// URLs, archive and message tracking, aliases, URL decoding, search and TTP
// URL logs, and the held-message queue.
//
// Both API generations are spoken, because tenants are mid-migration: API
// 1.0 signs every request with HMAC-SHA1 over the date, a request id, the
// path and the application key; API 2.0 sends an OAuth2 client-credentials
// bearer token. Both use the same POST /api/... paths and the same JSON
// envelope ({meta, data[]} in, {meta, data[], fail[]} out), so every
// operation is written once.
//
// Errors are typed so a screen can say what happened: *APIError (the call
// ran but the function failed: fail[] codes), *AuthError (401/403/418, with
// a hint), *RateLimitError, *StatusError. No error or String carries a
// secret; secrets are asked for through functions at signing time and never
// stored in the client.
//
// Retries follow one rule: a call is repeated only when repeating cannot
// change the outcome. Reads are retried on 5xx and timeouts with jittered
// exponential back-off; any call is retried after 429 (the server did not
// run it). A write whose outcome is unknown is first looked up, and sent
// again only when the lookup shows it did not happen; when even that cannot
// be told, the error wraps ErrUncertain so the analyst checks before acting
// again.
package mimecast
